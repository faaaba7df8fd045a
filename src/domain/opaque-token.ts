import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { crc32 } from 'node:zlib'

/**
 * Opaque secrets we generate: `<deployment prefix>_<kind code>_<body><checksum>`, e.g.
 * `gth_rt_3kTm…` — a prefix that is the deployment's own (so a secret scanner reports a leak to
 * its operator, not to another vendor), a kind code (so people and scanners can tell what leaked),
 * 256 random bits in base62 and a CRC32 checksum (so a typo or a forgery is rejected without a
 * database look-up). Only their SHA-256 is stored: with 256 bits of entropy a slow hash would
 * add latency and no safety.
 *
 * Parsing ignores the deployment prefix: a deployment that changes `GATEHOUSE_SECRET_PREFIX`
 * keeps accepting what it issued before (look-ups are by hash).
 */
export const kindCodes = {
  clientSecret: 'cs',
  refreshToken: 'rt',
  authorizationCode: 'ac',
  registrationToken: 'rg',
  session: 'ss',
  /** Reserved for personal API tokens. */
  apiToken: 'pat',
  /** Reserved for installations' shared secrets. */
  installationSecret: 'is',
} as const

export type TokenKind = keyof typeof kindCodes

export const DEFAULT_SECRET_PREFIX = 'gth'

/** A deployment's way of minting secrets: made once from configuration and passed to whatever generates one. */
export interface SecretFormat {
  readonly prefix: string
  generate(kind: TokenKind): string
}

export function secretFormat(prefix: string = DEFAULT_SECRET_PREFIX): SecretFormat {
  const problem = secretPrefixProblem(prefix)
  if (problem) throw new Error(`The secret prefix "${prefix}" ${problem}`)
  return Object.freeze({ prefix, generate: (kind: TokenKind) => generate(prefix, kindCodes[kind]) })
}

/**
 * Other vendors' secret prefixes that public scanners (GitHub secret scanning, gitleaks,
 * TruffleHog) look for. A deployment prefix may not begin with a namespace below, nor be one of
 * the short prefixes (those are followed directly by their separator, so only the exact word
 * collides).
 */
const vendorNamespaces = [
  'gh', 'github', // GitHub: ghp_ gho_ ghu_ ghs_ ghr_ github_pat_, and whatever gh?_ comes next
  'xox', 'xapp', // Slack
  'akia', 'asia', 'abia', 'acca', 'a3t', // AWS access key ids
  'aiza', 'ya29', // Google
  'glpat', 'gldt', 'glrt', 'glptt', 'glsa', 'glft', 'glimt', 'glagent', 'gloas', // GitLab
  'shpat', 'shpss', 'shpca', 'shppa', // Shopify
  'sntry', // Sentry
  'whsec', // Stripe webhook secrets
  'pypi', 'rubygems', 'clojars', // package registries
  'tskey', 'atatt', 'akcp', 'figd', 'lsv2', 'nvapi', 'pplx', 'dapi', 'sq0',
]
const vendorWords = [
  'sk', 'pk', 'rk', // Stripe sk_live_, pk_test_, rk_live_
  'npm', 'hf', 'hvs', 'hvb', 'pnu', 'glc', 'ntn', 'gsk', 'r8', 'ops', 'dop', 'doo', 'dor', 'secret', 'key',
]

/** Why `prefix` cannot be a deployment's secret prefix, or undefined if it can. */
export function secretPrefixProblem(prefix: string): string | undefined {
  if (!/^[a-z][a-z0-9]{1,9}$/.test(prefix)) return 'must be 2 to 10 lowercase letters or digits, starting with a letter'
  const namespace = vendorNamespaces.find((stem) => prefix.startsWith(stem))
  if (namespace) return `begins with "${namespace}", which secret scanners read as another vendor's secret`
  if (vendorWords.includes(prefix)) return `is another vendor's secret prefix, which secret scanners would report to them`
  return undefined
}

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const BODY_LENGTH = 43 // ceil(256 / log2(62))
const CHECKSUM_LENGTH = 6
const SECRET = /^[a-z][a-z0-9]{1,9}_([a-z]{2,3})_[0-9A-Za-z]{49}$/
const MAX_LENGTH = 10 + 1 + 3 + 1 + BODY_LENGTH + CHECKSUM_LENGTH
const kindByCode = new Map(Object.entries(kindCodes).map(([kind, code]) => [code as string, kind as TokenKind]))

/**
 * The first release's prefixes, in GitHub's namespace. Recognised so that refresh tokens,
 * sessions and registration tokens issued before the upgrade keep working until they expire;
 * never generated.
 */
const legacyPrefixes: [string, TokenKind][] = [
  ['ghcs_', 'clientSecret'],
  ['ghr_', 'refreshToken'],
  ['ghac_', 'authorizationCode'],
  ['ghrt_', 'registrationToken'],
  ['ghss_', 'session'],
]

function generate(prefix: string, code: string): string {
  const payload = `${prefix}_${code}_${toBase62(randomBytes(32), BODY_LENGTH)}`
  return payload + checksum(payload)
}

/** The kind whose code and checksum `token` carries, whatever deployment prefix minted it; undefined if it is not one of ours. */
export function parseOpaqueToken(token: string): TokenKind | undefined {
  if (token.length > MAX_LENGTH) return undefined
  const match = SECRET.exec(token)
  if (!match) return parseLegacy(token)
  const kind = kindByCode.get(match[1]!)
  return kind !== undefined && checksumHolds(token) ? kind : undefined
}

function parseLegacy(token: string): TokenKind | undefined {
  for (const [prefix, kind] of legacyPrefixes) {
    if (!token.startsWith(prefix)) continue
    if (token.length !== prefix.length + BODY_LENGTH + CHECKSUM_LENGTH) return undefined
    return checksumHolds(token) ? kind : undefined
  }
  return undefined
}

export function isOpaqueToken(token: string, kind: TokenKind): boolean {
  return parseOpaqueToken(token) === kind
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/** Constant-time comparison of two hex digests. */
export function hashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex')
  const right = Buffer.from(b, 'hex')
  return left.length === right.length && timingSafeEqual(left, right)
}

function checksumHolds(token: string): boolean {
  return checksum(token.slice(0, -CHECKSUM_LENGTH)) === token.slice(-CHECKSUM_LENGTH)
}

function checksum(payload: string): string {
  return toBase62(numberToBytes(crc32(payload)), CHECKSUM_LENGTH)
}

function numberToBytes(value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeUInt32BE(value >>> 0)
  return buffer
}

function toBase62(bytes: Buffer, length: number): string {
  let value = BigInt(`0x${bytes.toString('hex')}`)
  let out = ''
  while (out.length < length) {
    out = ALPHABET[Number(value % 62n)] + out
    value /= 62n
  }
  return out
}
