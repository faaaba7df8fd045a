import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { crc32 } from 'node:zlib'

/**
 * Opaque secrets we generate: a recognisable prefix (so secret scanners and
 * people can tell what leaked), 256 random bits, and a CRC32 checksum (so a
 * typo is rejected without a database look-up). Only their SHA-256 is stored:
 * with 256 bits of entropy a slow hash would add latency and no safety.
 */
export const tokenPrefixes = {
  clientSecret: 'ghcs_',
  refreshToken: 'ghr_',
  authorizationCode: 'ghac_',
  registrationToken: 'ghrt_',
  session: 'ghss_',
} as const

export type TokenKind = keyof typeof tokenPrefixes

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const BODY_LENGTH = 43 // ceil(256 / log2(62))
const CHECKSUM_LENGTH = 6

export function generateOpaqueToken(kind: TokenKind): string {
  const prefix = tokenPrefixes[kind]
  const body = toBase62(randomBytes(32), BODY_LENGTH)
  return `${prefix}${body}${checksum(prefix + body)}`
}

/** The kind whose prefix and checksum `token` carries, or undefined if it is not one of ours. */
export function parseOpaqueToken(token: string): TokenKind | undefined {
  for (const [kind, prefix] of Object.entries(tokenPrefixes) as [TokenKind, string][]) {
    if (!token.startsWith(prefix)) continue
    if (token.length !== prefix.length + BODY_LENGTH + CHECKSUM_LENGTH) return undefined
    const payload = token.slice(0, -CHECKSUM_LENGTH)
    return checksum(payload) === token.slice(-CHECKSUM_LENGTH) ? kind : undefined
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
