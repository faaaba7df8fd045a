import { createPrivateKey, type KeyObject } from 'node:crypto'
import { exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose'
import type { Clock } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { ConfigError } from '../errors.js'
import type { Db } from '../store/database.js'
import { describeUnsealFailure, rewrapSealedTables, type SealedTable } from '../store/sealed-tables.js'
import { open, seal, type Keyring } from '../store/secret-box.js'
import * as queries from './signing-keys.queries.js'

/** How long a JWKS response may be cached (its `Cache-Control: max-age`). */
export const JWKS_MAX_AGE_SECONDS = 300
/** How often every node re-reads the keys; with Redis a rotation is also announced at once. */
export const KEY_POLL_MS = 5000
/**
 * A new key signs only after every JWKS a verifier may have cached without it has expired:
 * the cache lifetime, plus one poll for the last node to publish it, plus a minute for clocks
 * that disagree (each node switches by its own clock, at the time stored with the key).
 */
export const KEY_ACTIVATION_DELAY_MS = JWKS_MAX_AGE_SECONDS * 1000 + KEY_POLL_MS + 60_000
// A node whose clock runs behind may sign with a retired key a little longer; its private part goes after that.
const FORGET_PRIVATE_KEY_AFTER_MS = 5 * 60_000

export interface ActiveSigningKey {
  kid: string
  alg: 'ES256'
  privateKey: KeyObject
}

export interface SigningKeysOptions {
  db: Db
  clock: Clock
  /** Opens the private keys, sealed at rest. */
  keyring: Keyring
  /** Where the keyring's current key came from, named in errors. */
  kekSource?: string
  /** How long a retired key stays published: the longest access-token lifetime plus clock skew. */
  retiredKeyLifetimeMs: number
  activationDelayMs?: number
}

export interface ScheduledKey {
  kid: string
  /** When it starts signing, on every node. */
  activatesAt: number
}

interface LoadedKey {
  kid: string
  jwk: JWK
  publicKey: CryptoKey
  activatesAt: number
  retiredAt: number | null
  /** Present while the key signs or is scheduled to. */
  signing: ActiveSigningKey | undefined
}

/**
 * The ES256 keys that sign access tokens. They live in the database, their private parts sealed
 * under the key-encryption key, so every process signs and verifies with the same set while a
 * dump of the database alone signs nothing. Each process keeps them in memory, re-reads them every
 * few seconds (`KEY_POLL_MS`, or at once when a rotation is announced) and when it meets a `kid`
 * it does not know.
 *
 * A rotation publishes the new key at once and makes it the signing key at a time stored with it
 * (`activates_at`), after the JWKS cache lifetime, so every node switches at the same moment and
 * no verifier meets a kid missing from the JWKS it cached.
 */
export class SigningKeys {
  /** Newest activation first. */
  #keys: LoadedKey[] = []
  #verification = new Map<string, CryptoKey>()
  #jwks: JWK[] = []
  #lastReload = 0
  #pendingReload: Promise<void> | undefined
  private readonly db: Db
  private readonly clock: Clock
  private readonly keyring: Keyring
  private readonly kekSource: string
  private readonly retiredKeyLifetimeMs: number
  private readonly activationDelayMs: number

  constructor(options: SigningKeysOptions) {
    this.db = options.db
    this.clock = options.clock
    this.keyring = options.keyring
    this.kekSource = options.kekSource ?? 'GATEHOUSE_KEK'
    this.retiredKeyLifetimeMs = options.retiredKeyLifetimeMs
    this.activationDelayMs = options.activationDelayMs ?? KEY_ACTIVATION_DELAY_MS
  }

  /**
   * Seals any key left in plaintext by an earlier version, loads the keys, and makes the first one
   * on an empty database. A key found in plaintext is rotated out (without a gap): backups taken
   * before the upgrade hold it.
   */
  async init(): Promise<{ sealedPlaintextKeys: number; rotation?: ScheduledKey }> {
    const { sealed, stillSigning } = await this.sealPlaintextKeys()
    // Also the keys already gone from JWKS, which `reload` no longer reads.
    await queries.forgetRetiredPrivateKeys(this.db, this.clock.now() - FORGET_PRIVATE_KEY_AFTER_MS)
    await this.reload()
    if (!this.#keys.some((key) => key.signing)) {
      await this.create(this.db, this.clock.now())
      await this.reload()
      return { sealedPlaintextKeys: sealed }
    }
    return stillSigning ? { sealedPlaintextKeys: sealed, rotation: await this.rotate() } : { sealedPlaintextKeys: sealed }
  }

  async reload(): Promise<void> {
    const now = this.clock.now()
    const rows = await queries.listPublishedKeys(this.db, now)
    const known = new Map(this.#keys.map((key) => [key.kid, key]))
    const keys: LoadedKey[] = []
    const problems: string[] = []
    let privatePartsToForget = false
    for (const row of rows) {
      const previous = known.get(row.kid)
      const signs = row.retired_at === null || row.retired_at > now
      let signing = signs ? previous?.signing : undefined
      if (signs && !signing) {
        try {
          signing = this.openPrivateKey(row)
        } catch (error) {
          problems.push(this.describe(row.kid, error))
        }
      }
      if (!signs && row.retired_at! <= now - FORGET_PRIVATE_KEY_AFTER_MS && (row.private_key_sealed !== null || row.private_jwk !== null)) {
        privatePartsToForget = true
      }
      const jwk = previous?.jwk ?? { ...(JSON.parse(row.public_jwk) as JWK), kid: row.kid, alg: row.alg, use: 'sig' }
      const publicKey = previous?.publicKey ?? ((await importJWK(jwk, row.alg)) as CryptoKey)
      keys.push({ kid: row.kid, jwk, publicKey, activatesAt: row.activates_at, retiredAt: row.retired_at, signing })
    }
    this.#keys = keys
    this.#verification = new Map(keys.map((key) => [key.kid, key.publicKey]))
    this.#jwks = keys.map((key) => key.jwk)
    this.#lastReload = now
    if (privatePartsToForget) await queries.forgetRetiredPrivateKeys(this.db, now - FORGET_PRIVATE_KEY_AFTER_MS)
    if (problems.length > 0) throw new ConfigError(problems[0]!)
  }

  /**
   * Publishes a new key now; it signs from `activatesAt` (after the activation delay, or at once
   * with `immediately`, for a key that must stop signing now), when the keys signing before stop.
   * They stay in JWKS until the tokens they signed have expired.
   */
  async rotate(options: { immediately?: boolean } = {}): Promise<ScheduledKey> {
    const activatesAt = this.clock.now() + (options.immediately ? 0 : this.activationDelayMs)
    const kid = await this.db.transaction().execute(async (trx) => {
      await queries.scheduleRetirement(trx, activatesAt, activatesAt + this.retiredKeyLifetimeMs)
      return this.create(trx, activatesAt)
    })
    await this.reload()
    return { kid, activatesAt }
  }

  /** The key that signs now: the newest one whose activation has come; a scheduled one only if none has. */
  signingKey(): ActiveSigningKey {
    const now = this.clock.now()
    let scheduled: ActiveSigningKey | undefined
    for (const key of this.#keys) {
      if (!key.signing || (key.retiredAt !== null && key.retiredAt <= now)) continue
      if (key.activatesAt <= now) return key.signing
      scheduled = key.signing
    }
    if (scheduled) return scheduled
    throw new Error('No signing key is loaded: SigningKeys.init() has not run')
  }

  /**
   * The public key for `kid`. An unknown kid waits for the next reload, and reloads happen at most
   * once a second however many unknown kids arrive: a key another process made a moment ago is
   * found, and a flood of made-up kids costs one query a second.
   */
  async verificationKey(kid: string | undefined): Promise<CryptoKey | undefined> {
    if (kid === undefined) return undefined
    const known = this.#verification.get(kid)
    if (known) return known
    await this.reloadSoon()
    return this.#verification.get(kid)
  }

  private reloadSoon(): Promise<void> {
    if (!this.#pendingReload) {
      const wait = Math.min(Math.max(this.#lastReload + 1000 - this.clock.now(), 0), 1000)
      this.#pendingReload = new Promise<void>((resolve) => setTimeout(resolve, wait))
        .then(() => this.reload())
        .finally(() => (this.#pendingReload = undefined))
    }
    return this.#pendingReload
  }

  /** Every published key, including one scheduled to sign: verifiers learn of it before its first token. */
  jwks(): { keys: JWK[] } {
    return { keys: this.#jwks }
  }

  private async create(db: Db, activatesAt: number): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const kid = newId()
    const sealed = seal(this.keyring, JSON.stringify(await exportJWK(privateKey)), sealContext(kid))
    await queries.insertKey(db, {
      kid,
      alg: 'ES256',
      public_jwk: JSON.stringify(await exportJWK(publicKey)),
      private_key_sealed: sealed.sealed,
      kek_id: sealed.kekId,
      private_jwk: null,
      created_at: this.clock.now(),
      activates_at: activatesAt,
      retired_at: null,
      expires_at: null,
    })
    return kid
  }

  private openPrivateKey(row: { kid: string; private_key_sealed: string | null; kek_id: string | null; private_jwk: string | null }): ActiveSigningKey | undefined {
    const jwk = row.private_key_sealed !== null && row.kek_id !== null
      ? open(this.keyring, { kekId: row.kek_id, sealed: row.private_key_sealed }, sealContext(row.kid))
      : row.private_jwk
    if (jwk === null) return undefined
    return { kid: row.kid, alg: 'ES256', privateKey: createPrivateKey({ key: JSON.parse(jwk), format: 'jwk' }) }
  }

  private async sealPlaintextKeys(): Promise<{ sealed: number; stillSigning: boolean }> {
    const now = this.clock.now()
    let sealed = 0
    let stillSigning = false
    for (const row of await queries.listPlaintextKeys(this.db)) {
      if (!(await queries.sealPlaintextKey(this.db, row.kid, seal(this.keyring, row.private_jwk!, sealContext(row.kid))))) continue
      sealed += 1
      if (row.retired_at === null || row.retired_at > now) stillSigning = true
    }
    return { sealed, stillSigning }
  }

  private describe(kid: string, error: unknown): string {
    return describeUnsealFailure(`signing key ${kid}`, error, this.keyring, this.kekSource)
  }
}

/** The authenticated data of a signing key's sealed private part: its row. */
function sealContext(kid: string): string {
  return `signing_keys:${kid}`
}

/** The signing keys' sealed private parts, for `keys rewrap`. */
export const signingKeyRecords: SealedTable = {
  describe: (kid) => `signing key ${kid}`,
  context: sealContext,
  listSealed: async (db) => (await queries.listSealedKeys(db)).map((row) => ({ id: row.kid, kekId: row.kek_id!, sealed: row.private_key_sealed! })),
  replaceSealed: queries.replaceSealedKey,
}

export interface RewrapResult {
  /** Keys moved to the current KEK. */
  rewrapped: string[]
  /** Keys already under it. */
  current: number
  /** Keys found in plaintext (left by a version before sealing) and sealed. */
  sealedPlaintext: number
}

/**
 * Re-encrypts every signing key's private part under the keyring's current KEK, reading older
 * records with the previous KEKs (see `rewrapSealedTables`), then seals any key left in plaintext.
 */
export async function rewrapSigningKeys(db: Db, keyring: Keyring): Promise<RewrapResult> {
  const [result] = await rewrapSealedTables(db, keyring, [signingKeyRecords])
  return { ...result!, sealedPlaintext: await sealPlaintextSigningKeys(db, keyring) }
}

/** Seals the private keys an earlier version left in plaintext; how many it sealed. */
export async function sealPlaintextSigningKeys(db: Db, keyring: Keyring): Promise<number> {
  let sealed = 0
  for (const row of await queries.listPlaintextKeys(db)) {
    if (await queries.sealPlaintextKey(db, row.kid, seal(keyring, row.private_jwk!, sealContext(row.kid)))) sealed += 1
  }
  return sealed
}
