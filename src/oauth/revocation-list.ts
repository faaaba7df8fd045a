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

/**
 * Revoked access tokens (by `jti`) and revoked grants, which every process
 * must honour although access tokens are checked without the database.
 *
 * The database is the record; each process mirrors the live entries in memory
 * and polls for new ones. With Redis, revocations are also published so other
 * processes learn of them at once; the poll still catches anything missed.
 */
export class RevocationList {
  #entries = new Map<string, number>()
  #lastPoll = 0
  #timer: NodeJS.Timeout | undefined
  #lastPrune = 0
  #publisher: Redis | undefined
  #subscriber: Redis | undefined

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly options: { pollMs: number; redisUrl?: string },
  ) {}

  async start(): Promise<void> {
    await this.poll(0)
    if (this.options.redisUrl) await this.connectRedis(this.options.redisUrl)
    this.#timer = setInterval(() => {
      this.poll(this.#lastPoll - POLL_OVERLAP_MS).catch(() => {
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

  /** Records a revocation; `expiresAt` is when the last token it could affect expires. */
  async revoke(kind: RevocationKind, subject: string, expiresAt: number, db: Db = this.db): Promise<void> {
    const now = this.clock.now()
    await db.insertInto('revocations').values({ id: newId(), kind, subject, created_at: now, expires_at: expiresAt }).execute()
    this.remember({ kind, subject, expiresAt })
    this.#publisher?.publish(CHANNEL, JSON.stringify({ kind, subject, expiresAt } satisfies RevocationMessage)).catch(() => {})
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
