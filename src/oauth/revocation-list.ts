import { Redis } from 'ioredis'
import { newId } from '../domain/ids.js'
import type { Clock } from '../domain/clock.js'
import type { Db } from '../store/database.js'

export type RevocationKind = 'jti' | 'grant'

interface RevocationMessage {
  kind: RevocationKind
  subject: string
  expiresAt: number
}

const CHANNEL = 'gatehouse:revocations'
// Rows written by another process may commit a little after their created_at; re-read this far back.
const POLL_OVERLAP_MS = 5000
const PRUNE_EVERY_MS = 60_000
const FULL_POLL_EVERY_MS = 30_000

/**
 * Revoked access tokens (by `jti`) and revoked grants, which every process
 * must honour although access tokens are checked without the database.
 *
 * The database is the record; each process mirrors the live entries in memory
 * and polls for new ones. With Redis, revocations are also published so other
 * processes learn of them at once; the poll still catches anything missed, and a full re-read
 * every 30 s bounds what clock skew between nodes or a slow commit can delay.
 */
export class RevocationList {
  #entries = new Map<string, number>()
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

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await Promise.all([this.#publisher?.quit(), this.#subscriber?.quit()].map((p) => p?.catch(() => {})))
  }

  /** The hot-path check: two map look-ups, no I/O. */
  isRevoked(jti: string, grantId: string | undefined): boolean {
    return this.#entries.has(`jti:${jti}`) || (grantId !== undefined && this.#entries.has(`grant:${grantId}`))
  }

  /** Records a revocation and tells every process; `expiresAt` is when the last token it could affect expires. */
  async revoke(kind: RevocationKind, subject: string, expiresAt: number): Promise<void> {
    const announce = await this.record(this.db, kind, subject, expiresAt)
    announce()
  }

  /**
   * Writes a revocation inside the caller's transaction and returns the function that announces it,
   * to be called once the transaction has committed: other processes must never learn of a
   * revocation that was rolled back, and the record must never be lost when the rest committed.
   */
  async record(trx: Db, kind: RevocationKind, subject: string, expiresAt: number): Promise<() => void> {
    await trx.insertInto('revocations').values({ id: newId(), kind, subject, created_at: this.clock.now(), expires_at: expiresAt }).execute()
    return () => {
      this.remember({ kind, subject, expiresAt })
      this.#publisher?.publish(CHANNEL, JSON.stringify({ kind, subject, expiresAt } satisfies RevocationMessage)).catch(() => {})
    }
  }

  /** Forgets expired entries in memory and deletes them from the store. */
  async prune(): Promise<number> {
    const now = this.clock.now()
    for (const [key, expiresAt] of this.#entries) if (expiresAt <= now) this.#entries.delete(key)
    const result = await this.db.deleteFrom('revocations').where('expires_at', '<=', now).executeTakeFirst()
    return Number(result.numDeletedRows)
  }

  private async poll(since: number): Promise<void> {
    const startedAt = this.clock.now()
    const rows = await this.db
      .selectFrom('revocations')
      .select(['kind', 'subject', 'expires_at'])
      .where('created_at', '>=', since)
      .where('expires_at', '>', startedAt)
      .execute()
    for (const row of rows) this.remember({ kind: row.kind as RevocationKind, subject: row.subject, expiresAt: row.expires_at })
    this.#lastPoll = startedAt
    if (since === 0) this.#lastFullPoll = startedAt
    if (startedAt - this.#lastPrune > PRUNE_EVERY_MS) {
      this.#lastPrune = startedAt
      for (const [key, expiresAt] of this.#entries) if (expiresAt <= startedAt) this.#entries.delete(key)
    }
  }

  private remember(message: RevocationMessage): void {
    this.#entries.set(`${message.kind}:${message.subject}`, message.expiresAt)
  }

  private async connectRedis(url: string): Promise<void> {
    const options = { lazyConnect: true, maxRetriesPerRequest: 1 }
    this.#publisher = new Redis(url, options)
    this.#subscriber = new Redis(url, options)
    this.#publisher.on('error', () => {})
    this.#subscriber.on('error', () => {})
    await Promise.all([this.#publisher.connect(), this.#subscriber.connect()])
    this.#subscriber.on('message', (_channel: string, raw: string) => {
      try {
        const message = JSON.parse(raw) as RevocationMessage
        if (typeof message.subject === 'string' && (message.kind === 'jti' || message.kind === 'grant')) this.remember(message)
      } catch {
        // Not ours; ignore.
      }
    })
    await this.#subscriber.subscribe(CHANNEL)
  }
}
