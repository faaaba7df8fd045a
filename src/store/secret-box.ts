import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto'

/**
 * Envelope encryption for secrets kept in the database (signing keys' private parts, later
 * installations' shared secrets): AES-256-GCM under a key-encryption key (KEK) that lives
 * outside the database, so a dump alone reveals nothing.
 *
 * Each record names the KEK that sealed it, so the KEK can be replaced: records sealed under a
 * previous KEK still open while `gatehouse keys rewrap` moves them to the current one. The
 * record's context (its table and row) is authenticated data: a ciphertext copied into
 * another row does not open there.
 */
export interface KeyEncryptionKey {
  /** A short fingerprint of the key, stored with every record it seals; reveals nothing of the key. */
  readonly id: string
  /** A KeyObject, so the key's bytes never end up in a log or a JSON dump of the configuration. */
  readonly key: KeyObject
}

export interface Keyring {
  /** Seals everything new; opens what it sealed. */
  readonly current: KeyEncryptionKey
  /** Open what they sealed, until `keys rewrap` has moved it to `current`. */
  readonly previous: readonly KeyEncryptionKey[]
}

export interface SealedSecret {
  kekId: string
  sealed: string
}

export class SecretBoxError extends Error {
  constructor(
    readonly reason: 'unknown-kek' | 'undecryptable',
    message: string,
  ) {
    super(message)
    this.name = 'SecretBoxError'
  }
}

const VERSION = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16

/** A KEK from its text: 32 bytes as 64 hex digits or as base64 (standard or URL-safe); undefined for anything else. */
export function parseKek(text: string): KeyEncryptionKey | undefined {
  const value = text.trim()
  let bytes: Buffer | undefined
  if (/^[0-9a-fA-F]{64}$/.test(value)) bytes = Buffer.from(value, 'hex')
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
  if (bytes?.length !== 32) return undefined
  return Object.freeze({ id: kekId(bytes), key: createSecretKey(bytes) })
}

/** A new random KEK, as the text `parseKek` reads. */
export function generateKekText(): string {
  return randomBytes(32).toString('base64')
}

function kekId(bytes: Buffer): string {
  return createHash('sha256').update('gatehouse key-encryption key id\0').update(bytes).digest('hex').slice(0, 16)
}

/** Encrypts `plaintext` under the keyring's current KEK, bound to `context` (e.g. "signing_keys:<kid>"). */
export function seal(keyring: Keyring, plaintext: string, context: string): SealedSecret {
  const kek = keyring.current
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(additionalData(kek.id, context))
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  const sealed = [VERSION, iv, ciphertext, cipher.getAuthTag()].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.')
  return { kekId: kek.id, sealed }
}

/** Decrypts a record sealed for `context` with whichever KEK of the keyring it names. */
export function open(keyring: Keyring, record: SealedSecret, context: string): string {
  const kek = [keyring.current, ...keyring.previous].find((candidate) => candidate.id === record.kekId)
  if (!kek) throw new SecretBoxError('unknown-kek', `is sealed under KEK ${record.kekId}, which is not among the configured keys`)
  const [version, iv, ciphertext, tag] = record.sealed.split('.')
  if (version !== VERSION || iv === undefined || ciphertext === undefined || tag === undefined) {
    throw new SecretBoxError('undecryptable', 'is not sealed in a format this version reads')
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek.key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES })
    decipher.setAAD(additionalData(kek.id, context))
    decipher.setAuthTag(Buffer.from(tag, 'base64url'))
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8')
  } catch {
    throw new SecretBoxError('undecryptable', `does not decrypt under KEK ${kek.id}: the record was altered or belongs to another row`)
  }
}

function additionalData(kekId: string, context: string): Buffer {
  return Buffer.from(`gatehouse/${VERSION}/${kekId}/${context}`, 'utf8')
}
