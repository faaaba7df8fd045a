import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto'
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose'
import type { Clock } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { queryStringHash } from '../domain/qsh.js'
import { ConfigError } from '../errors.js'
import type { Db } from '../store/database.js'
import { describeUnsealFailure, type SealedTable } from '../store/sealed-tables.js'
import { open, seal, type Keyring } from '../store/secret-box.js'
import type { ConnectKeyTable } from '../store/schema.js'
import * as queries from './connect-keys.queries.js'

/** How long a replaced key stays published, so callbacks signed just before a rotation still verify. */
export const CONNECT_KEY_GRACE_MS = 24 * 60 * 60_000
/** A callback's token is good for this long after it is signed. */
export const CALLBACK_TOKEN_SECONDS = 180
/** How long a process answers from the keys in memory before re-reading them (an unknown kid is looked up at once). */
const PUBLISHED_KEYS_MAX_AGE_MS = 5000
/** Unknown kids cost at most one reload a second, however many arrive. */
const UNKNOWN_KID_RELOAD_MS = 1000

export interface PublishedConnectKey {
  kid: string
  alg: 'RS256'
  /** The public JWK, with kid, alg and `use: 'sig'`. */
  jwk: JWK
  /** SubjectPublicKeyInfo in PEM (`-----BEGIN PUBLIC KEY-----`), what Connect libraries fetch by kid. */
  pem: string
  createdAt: number
  retiredAt: number | null
  expiresAt: number | null
}

export interface CallbackRequest {
  /** The app's `baseUrl`: the token's audience. */
  audience: string
  method: string
  /** The absolute URL the callback goes to. */
  url: string
  /** What `qsh`'s path is relative to; the audience unless given. */
  baseUrl?: string
}

export interface ConnectKeysOptions {
  db: Db
  clock: Clock
  /** Opens the private keys, sealed at rest. */
  keyring: Keyring
  /** Where the keyring's current key came from, named in errors. */
  kekSource?: string
  /** The platform: every callback token's `iss`. */
  issuer: string
  graceMs?: number
}

/**
 * The RS256 keys that sign lifecycle callbacks to installed apps, apart from the access-token keys.
 * One key signs at a time; an app verifies a callback with the public key it fetches by the token's
 * kid (`/connect/keys/<kid>`), so a new key needs no announcement: it signs at once, and the key it
 * replaces stays published for a grace period. The private part is sealed at rest and deleted when
 * the key is replaced.
 *
 * Several processes share the keys through the database: signing reads the current key each time
 * (callbacks are rare), and a kid this process does not know is looked up before answering 404.
 */
export class ConnectKeys {
  #published = new Map<string, PublishedConnectKey>()
  #privateKeys = new Map<string, KeyObject>()
  #lastReload = Number.NEGATIVE_INFINITY
  #pendingReload: Promise<void> | undefined
  private readonly db: Db
  private readonly clock: Clock
  private readonly keyring: Keyring
  private readonly kekSource: string
  private readonly issuer: string
  private readonly graceMs: number

  constructor(options: ConnectKeysOptions) {
    this.db = options.db
    this.clock = options.clock
    this.keyring = options.keyring
    this.kekSource = options.kekSource ?? 'GATEHOUSE_KEK'
    this.issuer = options.issuer
    this.graceMs = options.graceMs ?? CONNECT_KEY_GRACE_MS
  }

  /** Makes the first key on an empty database, and opens the current one: a wrong KEK stops start-up here. */
  async start(): Promise<void> {
    if (!(await queries.findSigningKey(this.db))) await this.create(this.db)
    const signing = (await queries.findSigningKey(this.db))!
    // Processes starting together on an empty database may each have made a key: the newest signs
    // everywhere, and the older ones retire. Never a newer one, which a process may have made meanwhile.
    const now = this.clock.now()
    await queries.retireSigningKeys(this.db, now, now + this.graceMs, signing)
    this.privateKeyOf(signing)
    await this.reload()
  }

  /** The key that signs now, read from the database (another process may have rotated). */
  async current(): Promise<PublishedConnectKey> {
    return this.published(await this.signingRow())
  }

  /** The key that signs and the replaced ones still in their grace period, newest first. */
  async publicKeys(): Promise<PublishedConnectKey[]> {
    if (this.stale()) await this.reloadSoon()
    const now = this.clock.now()
    return [...this.#published.values()]
      .filter((key) => key.expiresAt === null || key.expiresAt > now)
      .sort((a, b) => b.createdAt - a.createdAt || (a.kid < b.kid ? 1 : -1))
  }

  /** The published key `kid`, or undefined. An unknown kid is looked up in the database first. */
  async publicKey(kid: string): Promise<PublishedConnectKey | undefined> {
    if (!this.#published.has(kid) || this.stale()) await this.reloadSoon()
    const key = this.#published.get(kid)
    return key && (key.expiresAt === null || key.expiresAt > this.clock.now()) ? key : undefined
  }

  /** A new key signs from now on; the one it replaces stays published for the grace period. */
  async rotate(): Promise<{ kid: string; retired: { kid: string; expiresAt: number }[] }> {
    const now = this.clock.now()
    const expiresAt = now + this.graceMs
    const { kid, retired } = await this.db.transaction().execute(async (trx) => {
      await queries.deleteExpiredKeys(trx, now)
      const retired = await queries.retireSigningKeys(trx, now, expiresAt)
      return { kid: await this.create(trx), retired }
    })
    for (const old of retired) this.#privateKeys.delete(old)
    await this.reload()
    return { kid, retired: retired.map((old) => ({ kid: old, expiresAt })) }
  }

  /**
   * The token for a callback's `Authorization: JWT …` header: RS256 with the current key's kid,
   * `iss` the platform, `aud` the app's baseUrl, valid for `CALLBACK_TOKEN_SECONDS`, and `qsh` binding
   * it to the request's method, path and query.
   */
  async signCallback(request: CallbackRequest): Promise<string> {
    const row = await this.signingRow()
    const privateKey = this.privateKeyOf(row)
    // Published here at once, whatever the last reload saw: the app may ask this process for it next.
    this.published(row)
    const iat = Math.floor(this.clock.now() / 1000)
    return new SignJWT({ qsh: queryStringHash({ method: request.method, url: request.url, baseUrl: request.baseUrl ?? request.audience }) })
      .setProtectedHeader({ alg: 'RS256', kid: row.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      // A one-element list: Connect libraries read `aud[0]`; JWT libraries accept a string or a list alike.
      .setAudience([request.audience])
      .setIssuedAt(iat)
      .setExpirationTime(iat + CALLBACK_TOKEN_SECONDS)
      .sign(privateKey)
  }

  /** Re-reads the published keys. */
  async reload(): Promise<void> {
    const now = this.clock.now()
    const rows = await queries.listPublishedKeys(this.db, now)
    const published = new Map<string, PublishedConnectKey>()
    for (const row of rows) {
      const previous = this.#published.get(row.kid)
      // Another process may have retired it since: its dates come from the row, its key is the same.
      published.set(row.kid, previous ? { ...previous, retiredAt: row.retired_at, expiresAt: row.expires_at } : toPublished(row))
    }
    this.#published = published
    this.#lastReload = now
    // A key another process replaced signs no more: its private part leaves this one's memory too.
    for (const kid of this.#privateKeys.keys()) if (published.get(kid)?.retiredAt !== null) this.#privateKeys.delete(kid)
  }

  private stale(): boolean {
    return this.clock.now() - this.#lastReload >= PUBLISHED_KEYS_MAX_AGE_MS
  }

  private reloadSoon(): Promise<void> {
    if (!this.#pendingReload) {
      const wait = Math.min(Math.max(this.#lastReload + UNKNOWN_KID_RELOAD_MS - this.clock.now(), 0), UNKNOWN_KID_RELOAD_MS)
      this.#pendingReload = new Promise<void>((resolve) => setTimeout(resolve, wait))
        .then(() => this.reload())
        .finally(() => (this.#pendingReload = undefined))
    }
    return this.#pendingReload
  }

  private async signingRow() {
    const row = await queries.findSigningKey(this.db)
    if (!row) throw new Error('No connect key: ConnectKeys.start() has not run')
    return row
  }

  private published(row: Pick<ConnectKeyTable, 'kid' | 'public_jwk' | 'created_at' | 'retired_at' | 'expires_at'>): PublishedConnectKey {
    let key = this.#published.get(row.kid)
    if (!key) {
      key = toPublished(row)
      this.#published.set(row.kid, key)
    }
    return key
  }

  private privateKeyOf(row: Pick<ConnectKeyTable, 'kid' | 'private_key_sealed' | 'kek_id'>): KeyObject {
    const known = this.#privateKeys.get(row.kid)
    if (known) return known
    if (row.private_key_sealed === null || row.kek_id === null) throw new Error(`connect key ${row.kid} has no private part`)
    let privateKey: KeyObject
    try {
      const jwk = open(this.keyring, { kekId: row.kek_id, sealed: row.private_key_sealed }, sealContext(row.kid))
      privateKey = createPrivateKey({ key: JSON.parse(jwk), format: 'jwk' })
    } catch (error) {
      throw new ConfigError(describeUnsealFailure(`connect key ${row.kid}`, error, this.keyring, this.kekSource))
    }
    this.#privateKeys.set(row.kid, privateKey)
    return privateKey
  }

  private async create(db: Db): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
    const kid = newId()
    const sealed = seal(this.keyring, JSON.stringify(await exportJWK(privateKey)), sealContext(kid))
    await queries.insertKey(db, {
      kid,
      alg: 'RS256',
      public_jwk: JSON.stringify(await exportJWK(publicKey)),
      private_key_sealed: sealed.sealed,
      kek_id: sealed.kekId,
      created_at: this.clock.now(),
      retired_at: null,
      expires_at: null,
    })
    return kid
  }
}

function toPublished(row: Pick<ConnectKeyTable, 'kid' | 'public_jwk' | 'created_at' | 'retired_at' | 'expires_at'>): PublishedConnectKey {
  const publicJwk = JSON.parse(row.public_jwk) as JWK
  const jwk = { ...publicJwk, kid: row.kid, alg: 'RS256', use: 'sig' }
  const pem = createPublicKey({ key: JSON.parse(row.public_jwk), format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString()
  return { kid: row.kid, alg: 'RS256', jwk, pem, createdAt: row.created_at, retiredAt: row.retired_at, expiresAt: row.expires_at }
}

/** The authenticated data of a connect key's sealed private part: its row. */
function sealContext(kid: string): string {
  return `connect_keys:${kid}`
}

/** The connect keys' sealed private parts, for `keys rewrap`. */
export const connectKeyRecords: SealedTable = {
  describe: (kid) => `connect key ${kid}`,
  context: sealContext,
  listSealed: async (db) => (await queries.listSealedKeys(db)).map((row) => ({ id: row.kid, kekId: row.kek_id!, sealed: row.private_key_sealed! })),
  replaceSealed: queries.replaceSealedKey,
}
