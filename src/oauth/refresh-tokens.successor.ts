import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'

/**
 * Sealing a used refresh token's successor, so a retry within the reuse grace window gets the
 * same successor instead of starting a second branch of the family.
 *
 * Only hashes of refresh tokens are stored, so the successor cannot be looked up again; it is kept
 * encrypted (AES-256-GCM) under a key derived (HKDF-SHA256) from the used token itself. Whoever
 * retries must present that token, so they can open it; the database alone cannot, and the used
 * token alone cannot either (the sealed value is only in the database, and only for the window:
 * the prune erases it). A server-wide key would add nothing a thief of both lacks, and would be
 * one more secret every node must share.
 */
const INFO = 'gatehouse refresh-token successor v1'
const VERSION = 'v1.'
const IV_BYTES = 12
const TAG_BYTES = 16

export function sealSuccessor(usedToken: string, usedTokenId: string, successor: string): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', keyFor(usedToken, usedTokenId), iv)
  cipher.setAAD(Buffer.from(usedTokenId))
  const sealed = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()])
  return VERSION + Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')
}

/** The successor, or undefined when `sealed` was not made from this token (or was tampered with). */
export function unsealSuccessor(usedToken: string, usedTokenId: string, sealed: string): string | undefined {
  if (!sealed.startsWith(VERSION)) return undefined
  const bytes = Buffer.from(sealed.slice(VERSION.length), 'base64url')
  if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyFor(usedToken, usedTokenId), bytes.subarray(0, IV_BYTES))
    decipher.setAAD(Buffer.from(usedTokenId))
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
  } catch {
    return undefined
  }
}

function keyFor(usedToken: string, usedTokenId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', usedToken, usedTokenId, INFO, 32))
}
