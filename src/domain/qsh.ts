import { createHash } from 'node:crypto'

/**
 * The query string hash (`qsh` claim) that binds an Atlassian Connect JWT to one request, as the
 * reference platform defines it (com.atlassian.jwt's HttpRequestCanonicalizer; atlassian-jwt on npm):
 * `qsh` = hex SHA-256 of the UTF-8 canonical request `METHOD&path&query`, where
 * - METHOD is upper-cased;
 * - path is the request path as sent (not decoded) relative to the base URL: the base URL's path
 *   is removed from its front, one trailing `/` is dropped, empty becomes `/`, and every `&` is
 *   written `%26` (so `/a&b=c?x=y` and `/a?b=c&x=y` do not hash alike);
 * - query is the decoded parameters without `jwt`, each `name=value` with name and value
 *   percent-encoded per RFC 3986 (only A-Z a-z 0-9 - . _ ~ stay; a space is %20, `*` is %2A),
 *   sorted by encoded name; a repeated name's values are sorted (by UTF-16 code unit, before
 *   encoding) and joined with `,`; parameters are joined with `&`.
 *
 * Where the two reference implementations differ, this follows the platform's (Java) one, since
 * Gatehouse plays the platform: names sort by their encoded form (atlassian-jwt sorts raw names,
 * which differs only for names with characters such as `/` next to `-`), and the base URL's path is
 * removed only at a segment boundary (atlassian-jwt would turn `/jiraffe` into `/ffe` under `/jira`).
 */

/** A form body's parameters as a form parser gives them (a repeated name has a list). */
export type FormParameters = Readonly<Record<string, string | readonly string[] | undefined>>

export interface QshRequest {
  /** The HTTP method, in any case. */
  method: string
  /** An absolute URL or a request target (`/path?query`), with the path percent-encoded as sent. */
  url: string
  /** The base URL the path is relative to: the app's `baseUrl` for requests to the app, Gatehouse's public URL for requests to Gatehouse. */
  baseUrl?: string
  /**
   * The parameters of a form body. They stand in for the query of a POST or PUT whose URL has no
   * query at all, as atlassian-jwt's `checkBodyForParams` and atlassian-connect-express allow
   * (some HTTP clients move the query into the body; the JWT grant is signed this way).
   */
  formParameters?: FormParameters
}

const JWT_PARAMETER = 'jwt'
const UNRESERVED = /^[A-Za-z0-9\-._~]$/

/** The canonical request string the `qsh` is the hash of. */
export function canonicalRequest(request: QshRequest): string {
  const { path, query } = splitTarget(request.url)
  const basePath = request.baseUrl === undefined ? '' : splitTarget(request.baseUrl).path.replace(/\/$/, '')
  return `${request.method.toUpperCase()}&${canonicalPath(path, basePath)}&${canonicalQuery(parameters(request, query))}`
}

/** The `qsh` claim value for a request. */
export function queryStringHash(request: QshRequest): string {
  return createHash('sha256').update(canonicalRequest(request), 'utf8').digest('hex')
}

/**
 * Whether a token's `qsh` claim matches the request: computed from the URL's query, or, for a POST
 * or PUT with form parameters and no query, from those parameters (the verifier's half of
 * `formParameters`; atlassian-connect-express tries the same two in this order).
 */
export function queryStringHashMatches(claim: string, request: QshRequest): boolean {
  const { formParameters, ...withoutForm } = request
  if (claim === queryStringHash(withoutForm)) return true
  return formParameters !== undefined && claim === queryStringHash(request)
}

/** The path and raw query of an absolute URL or a request target; the fragment is never part of a request. */
function splitTarget(url: string): { path: string; query: string } {
  const target = url.split('#')[0].replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?]*/i, '')
  const mark = target.indexOf('?')
  return mark < 0 ? { path: target, query: '' } : { path: target.slice(0, mark), query: target.slice(mark + 1) }
}

function canonicalPath(path: string, basePath: string): string {
  const underBase = basePath !== '' && (path === basePath || path.startsWith(`${basePath}/`))
  let relative = underBase ? path.slice(basePath.length) : path
  if (relative.endsWith('/')) relative = relative.slice(0, -1)
  relative = relative.replaceAll('&', '%26')
  return relative.startsWith('/') ? relative : `/${relative}`
}

/** Each parameter name with its values, from the query, or from the form where `formParameters` applies. */
function parameters(request: QshRequest, query: string): Map<string, string[]> {
  const fromQuery = new Map<string, string[]>()
  // URLSearchParams decodes as browsers and servlet containers do: `+` is a space, `a` alone is `a=`.
  for (const [name, value] of new URLSearchParams(query)) fromQuery.set(name, [...(fromQuery.get(name) ?? []), value])
  const method = request.method.toUpperCase()
  if (fromQuery.size > 0 || request.formParameters === undefined || (method !== 'POST' && method !== 'PUT')) return fromQuery
  const fromForm = new Map<string, string[]>()
  for (const [name, value] of Object.entries(request.formParameters)) {
    if (value !== undefined) fromForm.set(name, typeof value === 'string' ? [value] : [...value])
  }
  return fromForm
}

function canonicalQuery(parameters: Map<string, string[]>): string {
  return [...parameters]
    .filter(([name]) => name !== JWT_PARAMETER)
    .map(([name, values]) => ({ name: percentEncode(name), values: [...values].sort().map(percentEncode).join(',') }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map(({ name, values }) => `${name}=${values}`)
    .join('&')
}

/** RFC 3986 percent-encoding of the UTF-8 bytes: everything but the unreserved characters, hex in upper case. */
function percentEncode(text: string): string {
  let encoded = ''
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte)
    encoded += UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return encoded
}
