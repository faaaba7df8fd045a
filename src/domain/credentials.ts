/**
 * The one reader of `Authorization` headers (RFC 9110 §11.6.2): what credential a request carries,
 * by its form alone. The gate picks an authenticator by it; client authentication reads Basic
 * from it; registration reads its initial access token from it. Nothing here checks that a
 * credential is good, only that it is well formed.
 *
 * Forms (RFC 9110 §11.4: `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`):
 * - the scheme is case-insensitive; `Bearer` and `Basic` are read here, any other scheme is
 *   handed on as it came (`JWT …` for installations, say) for an authenticator that knows it;
 * - spaces (and tabs, leniently) may run between the scheme and its credentials, and surround
 *   the whole value (RFC 9110 §5.5 OWS);
 * - Bearer (RFC 6750 §2.1) credentials are one token (no spaces; see `bearer` for why its
 *   characters are left to the authenticator), Basic (RFC 7617) credentials one base64 token68;
 * - Basic decodes to `user-id ":" password` in UTF-8, the first colon splitting them, with no
 *   control characters (RFC 7617 §2). OAuth client authentication form-decodes both parts
 *   first (RFC 6749 §2.3.1): pass `{ basic: 'form-encoded' }`.
 *
 * Linear scans over char codes, no regular expressions, and on the Bearer path no allocation but
 * the token's slice and its small result object, and no per-character loop over the token: the
 * gate calls this on every request.
 */

export type Credential = NoCredential | BearerCredential | BasicCredential | OtherCredential | MalformedCredential

export interface NoCredential {
  readonly kind: 'none'
}

export interface BearerCredential {
  readonly kind: 'bearer'
  readonly token: string
}

export interface BasicCredential {
  readonly kind: 'basic'
  readonly username: string
  readonly password: string
}

/** A scheme this parser does not read; `scheme` in lower case, `value` what followed it (maybe empty). */
export interface OtherCredential {
  readonly kind: 'other'
  readonly scheme: string
  readonly value: string
}

/** A header that is not a well-formed credential; `scheme` (lower case, possibly empty) says whose business it is. */
export interface MalformedCredential {
  readonly kind: 'malformed'
  readonly scheme: string
  readonly reason: string
}

export interface CredentialOptions {
  /** `form-encoded`: Basic's user-id and password are form-urlencoded, as OAuth clients send them (RFC 6749 §2.3.1). */
  basic?: 'plain' | 'form-encoded'
}

const NONE: NoCredential = Object.freeze({ kind: 'none' })
const SP = 0x20
const HTAB = 0x09
const EQUALS = 0x3d

/** tchar (RFC 9110 §5.6.2), which an auth-scheme is made of. */
const TCHAR = charTable("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+-.^_`|~")
const BASE64 = charTable('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')
const UTF8 = new TextDecoder('utf-8', { fatal: true })

export function parseAuthorization(header: string | undefined, options?: CredentialOptions): Credential {
  if (header === undefined) return NONE
  // The gate's everyday case, "Bearer <token>" as clients write it, without the general scan below.
  if (header.startsWith('Bearer ') && !isSpace(header.charCodeAt(header.length - 1))) {
    let valueStart = 7
    while (valueStart < header.length && isSpace(header.charCodeAt(valueStart))) valueStart++
    return bearer(header, valueStart, header.length)
  }
  let start = 0
  let end = header.length
  while (start < end && isSpace(header.charCodeAt(start))) start++
  while (end > start && isSpace(header.charCodeAt(end - 1))) end--
  if (start === end) return NONE

  let schemeEnd = start
  while (schemeEnd < end && TCHAR[header.charCodeAt(schemeEnd)] === 1) schemeEnd++
  if (schemeEnd === start || (schemeEnd < end && !isSpace(header.charCodeAt(schemeEnd)))) {
    return malformed('', 'The Authorization header must start with a scheme, such as "Bearer", followed by a space and the credentials')
  }
  let valueStart = schemeEnd
  while (valueStart < end && isSpace(header.charCodeAt(valueStart))) valueStart++

  if (schemeIs(header, start, schemeEnd, 'bearer')) return bearer(header, valueStart, end)
  if (schemeIs(header, start, schemeEnd, 'basic')) return basic(header, valueStart, end, options?.basic === 'form-encoded')
  return { kind: 'other', scheme: header.slice(start, schemeEnd).toLowerCase(), value: header.slice(valueStart, end) }
}

/**
 * One token, with no space or tab inside. Its characters are not checked one by one here: on the
 * gate's hot path that scan would cost as much as hashing the token for the cache, and it would
 * add nothing, because the authenticator that recognises a Bearer token checks its exact form (a
 * JWS signature, a checksum), which nothing outside token68 passes. The one native search for
 * a space below (two tokens, `Bearer a b`) is a fraction of that cost; a tab inside is left to
 * the authenticator too.
 */
function bearer(header: string, start: number, end: number): BearerCredential | MalformedCredential {
  if (start === end) return malformed('bearer', 'The Bearer scheme needs a token after it: Bearer <token>')
  const space = header.indexOf(' ', start)
  if (space !== -1 && space < end) return malformed('bearer', 'The Bearer token is malformed: one token with no spaces, Bearer <token>')
  return { kind: 'bearer', token: header.slice(start, end) }
}

function basic(header: string, start: number, end: number, formEncoded: boolean): BasicCredential | MalformedCredential {
  const expected = formEncoded ? 'base64 of the form-encoded client_id, ":" and the form-encoded client_secret' : 'base64 of user-id:password'
  if (!isBase64(header, start, end)) return malformed('basic', `The Basic credentials are malformed: expected ${expected}`)
  let decoded: string
  try {
    decoded = UTF8.decode(Buffer.from(header.slice(start, end), 'base64'))
  } catch {
    return malformed('basic', 'The Basic credentials are not UTF-8 text')
  }
  const colon = decoded.indexOf(':')
  if (colon === -1) return malformed('basic', `The Basic credentials have no ":" between the user-id and the password: expected ${expected}`)
  const username = formEncoded ? formDecode(decoded.slice(0, colon)) : decoded.slice(0, colon)
  const password = formEncoded ? formDecode(decoded.slice(colon + 1)) : decoded.slice(colon + 1)
  if (username === undefined || password === undefined) return malformed('basic', 'The Basic credentials have a bad %-escape in their form-encoding')
  if (hasControl(username) || hasControl(password)) return malformed('basic', 'The Basic credentials contain control characters')
  return { kind: 'basic', username, password }
}

/** application/x-www-form-urlencoded decoding of one value: "+" is a space, then %-escapes. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replaceAll('+', ' '))
  } catch {
    return undefined
  }
}

/** RFC 4648 §4 base64, with its padding or without it. */
function isBase64(text: string, start: number, end: number): boolean {
  let i = start
  while (i < end && BASE64[text.charCodeAt(i)] === 1) i++
  const data = i - start
  let padding = 0
  while (i < end && text.charCodeAt(i) === EQUALS) (i++, padding++)
  if (i !== end || data === 0 || data % 4 === 1) return false
  return padding === 0 || (padding <= 2 && (data + padding) % 4 === 0)
}

/** Whether header[start, end) is `lower` ignoring ASCII case; `lower` is lower-case letters. */
function schemeIs(header: string, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false
  for (let i = 0; i < lower.length; i++) if ((header.charCodeAt(start + i) | 0x20) !== lower.charCodeAt(i)) return false
  return true
}

function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (c < 0x20 || c === 0x7f) return true
  }
  return false
}

function isSpace(c: number): boolean {
  return c === SP || c === HTAB
}

function malformed(scheme: string, reason: string): MalformedCredential {
  return { kind: 'malformed', scheme, reason }
}

function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(128)
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1
  return table
}
