import { createPrivateKey, type KeyObject } from 'node:crypto'
import { exportJWK, generateKeyPair, importJWK, type JWK, type CryptoKey } from 'jose'
import { newId } from '../domain/ids.js'
import type { Clock } from '../domain/clock.js'
import type { Db } from '../store/database.js'
import * as queries from './signing-keys.queries.js'

export interface ActiveSigningKey {
  kid: string
  alg: 'ES256'
  privateKey: KeyObject
}

/**
 * The ES256 keys that sign access tokens. They live in the database so every
 * process signs and verifies with the same set; each process keeps them in
 * memory and reloads when it meets a `kid` it does not know, or on `reload()`.
 */
export class SigningKeys {
  #active: ActiveSigningKey | undefined
  #verification = new Map<string, CryptoKey>()
  #jwks: JWK[] = []
  #lastReload = 0
  #pendingReload: Promise<void> | undefined

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    /** How long a retired key stays published: the longest access-token lifetime plus clock skew. */
    private readonly retiredKeyLifetimeMs: number,
  ) {}

  /** Loads the keys, creating the first one on an empty database. */
  async init(): Promise<void> {
    await this.reload()
    if (!this.#active) {
      await this.create()
      await this.reload()
    }
  }

  async reload(): Promise<void> {
    const now = this.clock.now()
    const rows = await queries.listPublishedKeys(this.db, now)
    const verification = new Map<string, CryptoKey>()
    const jwks: JWK[] = []
    for (const row of rows) {
      const publicJwk = JSON.parse(row.public_jwk) as JWK
      verification.set(row.kid, (await importJWK(publicJwk, row.alg)) as CryptoKey)
      jwks.push({ ...publicJwk, kid: row.kid, alg: row.alg, use: 'sig' })
    }
    const activeRow = rows.find((row) => row.retired_at === null)
    this.#active = activeRow
      ? { kid: activeRow.kid, alg: 'ES256', privateKey: createPrivateKey({ key: JSON.parse(activeRow.private_jwk), format: 'jwk' }) }
      : undefined
    this.#verification = verification
    this.#jwks = jwks
    this.#lastReload = now
  }

  /** Makes a new key the signing key; the old one stays in JWKS until its tokens have expired. */
  async rotate(): Promise<string> {
    const now = this.clock.now()
    const kid = await this.db.transaction().execute(async (trx) => {
      await queries.retireActiveKeys(trx, now, now + this.retiredKeyLifetimeMs)
      return this.create(trx)
    })
    await this.reload()
    return kid
  }

  signingKey(): ActiveSigningKey {
    if (!this.#active) throw new Error('SigningKeys.init() has not run')
    return this.#active
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

  jwks(): { keys: JWK[] } {
    return { keys: this.#jwks }
  }

  private async create(db: Db = this.db): Promise<string> {
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const kid = newId()
    await queries.insertKey(db, {
      kid,
      alg: 'ES256',
      private_jwk: JSON.stringify(await exportJWK(privateKey)),
      public_jwk: JSON.stringify(await exportJWK(publicKey)),
      created_at: this.clock.now(),
      retired_at: null,
      expires_at: null,
    })
    return kid
  }
}
