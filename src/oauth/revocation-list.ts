import { Redis } from 'ioredis'
import { sql } from 'kysely'
import { newId } from '../domain/ids.js'
import type { Clock } from '../domain/clock.js'
import type { Db } from '../store/database.js'
import type { AccessTokenClaims } from './access-token.js'

/** `jti`: one access token; `grant`: every token issued under a grant. */
export type TokenRevocationKind = 'jti' | 'grant'
/** `user` (by user id) and `app` (by client_id): every token of that subject issued up to a cutoff. */
export type SubjectRevocationKind = 'user' | 'app'
export type RevocationKind = TokenRevocationKind | SubjectRevocationKind

/** What the list needs to know of an access token; the gate's identity has this shape. */
export interface RevocableToken {
  tokenId: string
  grantId: string | undefined
  userId: string
  clientId: string
  /** `iat`, in seconds. */
  issuedAt: number
}

export function revocableToken(claims: AccessTokenClaims): RevocableToken {
  return { tokenId: claims.jti, grantId: claims.gid, userId: claims.sub, clientId: claims.client_id, issuedAt: claims.iat }
}

/**
 * A subject revocation's cutoff: every token of the subject issued at or before `issuedBefore`
 * (epoch ms), or `'all'` — every token, whenever issued, for as long as the row lives (a disabled or
 * deleted subject, where a token minted late by a node that had not heard yet must die too).
 */
export interface SubjectCutoff {
  issuedBefore: number | 'all'
  /** When the row may go: the last token it could affect has expired (or never, while disabled). */
  expiresAt: number
}

/** Instants stored for "all" and "never": far beyond any real one, within int8 and Number's safe range. */
export const FOREVER = Number.MAX_SAFE_INTEGER

type Message =
  | { kind: TokenRevocationKind; subject: string; expiresAt: number }
  | { kind: SubjectRevocationKind; subject: string; expiresAt: number; issuedBefore: number; version: number }
  | { kind: 'app_changed'; subject: string; expiresAt: number; id: string }

interface SubjectEntry {
  /** Tokens whose `iat` (seconds) is at or below this are revoked; Infinity for "all". */
  revokedThrough: number
  expiresAt: number
  version: number
}

const CHANNEL = 'gatehouse:revocations'
// Rows written by another process may commit a little after their created_at; re-read this far back.
const POLL_OVERLAP_MS = 5000
const PRUNE_EVERY_MS = 60_000
const FULL_POLL_EVERY_MS = 30_000
// An app-changed notice matters only while some process may hold what it invalidates; caches hold
// client authentications for seconds, and a process that missed it for longer has reloaded anyway.
const NOTICE_TTL_MS = 60_000

/**
 * Revoked access tokens (by `jti`), revoked grants, and users and apps whose
 * tokens are revoked up to a cutoff, which every process must honour although
 * access tokens are checked without the database. It also carries "app
 * changed" notices, so every process drops what it cached about an app.
 *
 * The database is the record; each process mirrors the live entries in memory
 * and polls for new ones. With Redis, revocations are also published so other
 * processes learn of them at once; the poll still catches anything missed, and a full re-read
 * every 30 s bounds what clock skew between nodes or a slow commit can delay.
 */
export class RevocationList {
  // One map per kind: the hot-path check is four look-ups with no key building.
  readonly #jtis = new Map<string, number>()
  readonly #grants = new Map<string, number>()
  readonly #users = new Map<string, SubjectEntry>()
  readonly #apps = new Map<string, SubjectEntry>()
  /** Notices already acted on (id → row expiry): the poll reads each several times, Redis once more. */
  readonly #seenNotices = new Map<string, number>()
  readonly #appListeners = new Set<(clientId: string) => void>()
  #lastPoll = 0
  #timer: NodeJS.Timeout | undefined
  #lastPrune = 0
  #lastFullPoll = 0
  #publisher: Redis | undefined
  #subscriber: Redis | undefined

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly options: { pollMs: number; redisUrl?: string; fullPollMs?: number },
  ) {}

  /** For a server: load, subscribe (with Redis), and poll from now on. */
  async start(): Promise<void> {
    await this.poll(0)
    if (this.options.redisUrl) await this.connectRedis(this.options.redisUrl)
    this.#timer = setInterval(() => {
      // The short poll reads recent rows; a periodic full read catches rows whose created_at came
      // from a clock further behind, or that committed later, than the overlap allows for.
      const now = this.clock.now()
      const full = now - this.#lastFullPoll >= (this.options.fullPollMs ?? FULL_POLL_EVERY_MS)
      this.poll(full ? 0 : this.#lastPoll - POLL_OVERLAP_MS).catch(() => {
        // A failed poll is retried on the next tick; the entries already known still apply.
      })
    }, this.options.pollMs)
    this.#timer.unref()
  }

  /**
   * For a command that records revocations and exits (the CLI): publish only, so running servers
   * learn at once with Redis. Without Redis, or with Redis unreachable, they learn by polling.
   */
  async connectPublisher(): Promise<void> {
    if (!this.options.redisUrl) return
    const publisher = new Redis(this.options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 1000 })
    publisher.on('error', () => {})
    try {
      await publisher.connect()
      this.#publisher = publisher
    } catch {
      publisher.disconnect()
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await Promise.all([this.#publisher?.quit(), this.#subscriber?.quit()].map((p) => p?.catch(() => {})))
  }

  /** The hot-path check: four map look-ups, no I/O, no allocation. */
  isRevoked(token: RevocableToken): boolean {
    if (this.#jtis.has(token.tokenId)) return true
    if (token.grantId !== undefined && this.#grants.has(token.grantId)) return true
    const user = this.#users.get(token.userId)
    if (user !== undefined && token.issuedAt <= user.revokedThrough) return true
    const app = this.#apps.get(token.clientId)
    return app !== undefined && token.issuedAt <= app.revokedThrough
  }

  isGrantRevoked(grantId: string): boolean {
    return this.#grants.has(grantId)
  }

  /** Calls `listener` with the client_id of every app changed from now on, here or in another process. */
  onAppChanged(listener: (clientId: string) => void): () => void {
    this.#appListeners.add(listener)
    return () => this.#appListeners.delete(listener)
  }

  /** Records a revocation and tells every process; `expiresAt` is when the last token it could affect expires. */
  async revoke(kind: TokenRevocationKind, subject: string, expiresAt: number): Promise<void> {
    const announce = await this.record(this.db, kind, subject, expiresAt)
    announce()
  }

  /**
   * Writes a revocation inside the caller's transaction and returns the function that announces it,
   * to be called once the transaction has committed: other processes must never learn of a
   * revocation that was rolled back, and the record must never be lost when the rest committed.
   */
  async record(trx: Db, kind: TokenRevocationKind, subject: string, expiresAt: number): Promise<() => void> {
    await trx.insertInto('revocations').values({ id: newId(), kind, subject, created_at: this.clock.now(), expires_at: expiresAt }).execute()
    return this.announcer({ kind, subject, expiresAt })
  }

  /**
   * Sets the cutoff of a user (by id) or an app (by client_id), in the caller's transaction; one row
   * per subject, updated in place. The row's version only ever increases, also when two processes
   * write it at once, so every process ends up applying the last update, whatever order the poll
   * and Redis deliver them in.
   */
  async recordSubject(trx: Db, kind: SubjectRevocationKind, subject: string, cutoff: SubjectCutoff): Promise<() => void> {
    const now = this.clock.now()
    const issuedBefore = cutoff.issuedBefore === 'all' ? FOREVER : cutoff.issuedBefore
    const row = await trx
      .insertInto('revocations')
      .values({ id: `${kind}:${subject}`, kind, subject, created_at: now, expires_at: cutoff.expiresAt, issued_before: issuedBefore, version: now })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          created_at: eb.ref('excluded.created_at'),
          expires_at: eb.ref('excluded.expires_at'),
          issued_before: eb.ref('excluded.issued_before'),
          version: sql<number>`case when excluded.version > revocations.version then excluded.version else revocations.version + 1 end`,
        })),
      )
      .returning('version')
      .executeTakeFirstOrThrow()
    return this.announcer({ kind, subject, expiresAt: cutoff.expiresAt, issuedBefore, version: Number(row.version) })
  }

  /** Writes an "app changed" notice (client authentication and CORS caches drop the app) in the caller's transaction. */
  async recordAppChanged(trx: Db, clientId: string): Promise<() => void> {
    const now = this.clock.now()
    const id = newId()
    await trx.insertInto('revocations').values({ id, kind: 'app_changed', subject: clientId, created_at: now, expires_at: now + NOTICE_TTL_MS }).execute()
    return this.announcer({ kind: 'app_changed', subject: clientId, expiresAt: now + NOTICE_TTL_MS, id })
  }

  /** Forgets expired entries in memory and deletes them from the store. */
  async prune(): Promise<number> {
    this.forgetExpired(this.clock.now())
    const result = await this.db.deleteFrom('revocations').where('expires_at', '<=', this.clock.now()).executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  private announcer(message: Message): () => void {
    return () => {
      this.remember(message)
      this.#publisher?.publish(CHANNEL, JSON.stringify(message)).catch(() => {})
    }
  }

  private async poll(since: number): Promise<void> {
    const startedAt = this.clock.now()
    const rows = await this.db
      .selectFrom('revocations')
      .select(['id', 'kind', 'subject', 'expires_at', 'issued_before', 'version'])
      .where('created_at', '>=', since)
      .where('expires_at', '>', startedAt)
      .execute()
    for (const row of rows) {
      const message = toMessage(row)
      if (message) this.remember(message)
    }
    this.#lastPoll = startedAt
    if (since === 0) this.#lastFullPoll = startedAt
    if (startedAt - this.#lastPrune > PRUNE_EVERY_MS) {
      this.#lastPrune = startedAt
      this.forgetExpired(startedAt)
    }
  }

  private remember(message: Message): void {
    switch (message.kind) {
      case 'jti':
        this.#jtis.set(message.subject, message.expiresAt)
        return
      case 'grant':
        this.#grants.set(message.subject, message.expiresAt)
        return
      case 'user':
      case 'app': {
        const entries = message.kind === 'user' ? this.#users : this.#apps
        const known = entries.get(message.subject)
        if (known !== undefined && known.version >= message.version) return
        entries.set(message.subject, {
          revokedThrough: message.issuedBefore >= FOREVER ? Infinity : Math.floor(message.issuedBefore / 1000),
          expiresAt: message.expiresAt,
          version: message.version,
        })
        return
      }
      case 'app_changed':
        if (this.#seenNotices.has(message.id)) return
        this.#seenNotices.set(message.id, message.expiresAt)
        for (const listener of this.#appListeners) {
          try {
            listener(message.subject)
          } catch {
            // A listener's failure must not keep the others from hearing.
          }
        }
    }
  }

  private forgetExpired(now: number): void {
    for (const map of [this.#jtis, this.#grants, this.#seenNotices]) {
      for (const [key, expiresAt] of map) if (expiresAt <= now) map.delete(key)
    }
    for (const map of [this.#users, this.#apps]) {
      for (const [key, entry] of map) if (entry.expiresAt <= now) map.delete(key)
    }
  }

  private async connectRedis(url: string): Promise<void> {
    const options = { lazyConnect: true, maxRetriesPerRequest: 1 }
    this.#publisher = new Redis(url, options)
    this.#subscriber = new Redis(url, options)
    this.#publisher.on('error', () => {})
    this.#subscriber.on('error', () => {})
    await Promise.all([this.#publisher.connect(), this.#subscriber.connect()])
    this.#subscriber.on('message', (_channel: string, raw: string) => {
      let parsed: unknown
      try {
        parsed = JSON.parse(raw)
      } catch {
        return // Not ours; ignore.
      }
      const message = validMessage(parsed)
      if (message) this.remember(message)
    })
    await this.#subscriber.subscribe(CHANNEL)
  }
}

function toMessage(row: { id: string; kind: string; subject: string; expires_at: number; issued_before: number | null; version: number }): Message | undefined {
  switch (row.kind) {
    case 'jti':
    case 'grant':
      return { kind: row.kind, subject: row.subject, expiresAt: row.expires_at }
    case 'user':
    case 'app':
      return { kind: row.kind, subject: row.subject, expiresAt: row.expires_at, issuedBefore: row.issued_before ?? FOREVER, version: Number(row.version) }
    case 'app_changed':
      return { kind: 'app_changed', subject: row.subject, expiresAt: row.expires_at, id: row.id }
    default:
      return undefined
  }
}

/** A published message, checked field by field: anyone with access to the Redis channel could write to it. */
function validMessage(value: unknown): Message | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const m = value as Record<string, unknown>
  if (typeof m.subject !== 'string' || typeof m.expiresAt !== 'number') return undefined
  if (m.kind === 'jti' || m.kind === 'grant') return { kind: m.kind, subject: m.subject, expiresAt: m.expiresAt }
  if ((m.kind === 'user' || m.kind === 'app') && typeof m.issuedBefore === 'number' && typeof m.version === 'number') {
    return { kind: m.kind, subject: m.subject, expiresAt: m.expiresAt, issuedBefore: m.issuedBefore, version: m.version }
  }
  if (m.kind === 'app_changed' && typeof m.id === 'string') return { kind: 'app_changed', subject: m.subject, expiresAt: m.expiresAt, id: m.id }
  return undefined
}
