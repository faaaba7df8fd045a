import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Clock } from '../domain/clock.js'
import { inTransaction, type Db } from '../store/database.js'
import type { ScopeUsageCounters, UsageCount } from './scope-usage-counters.js'

/** How often the counts reach the database; at most this much is lost if a process dies without closing. */
export const SCOPE_USAGE_FLUSH_MS = 5000

/** Rows per statement: far below SQLite's and PostgreSQL's limits on bound parameters (five per row). */
const ROWS_PER_STATEMENT = 500

/** The scope under which a call through a requirement of no scope (`[]`) is counted. */
export const NO_SCOPE = ''

export interface ScopeUsageStoreDeps {
  db: Db
  clock: Clock
  counters: Pick<ScopeUsageCounters, 'drain'>
  log: Pick<FastifyBaseLogger, 'warn'>
}

interface UsageRow {
  client_id: string
  day: string
  operation_id: string
  scope: string
  calls: number
}

/**
 * Moves the gate's counters into `scope_usage`, off the request path: each flush drains them, merges
 * the counts by row (the same operation is counted apart for its GET and HEAD routes, and PostgreSQL
 * refuses an upsert that touches one row twice) and adds them to the stored ones in one transaction.
 * Counts a flush could not write (the database down) are kept and go with the next one, so nothing
 * is counted twice or lost while the process lives. Every process flushes its own counts; the upserts
 * only add, so several processes on one database never overwrite each other.
 */
export class ScopeUsageStore {
  readonly #deps: ScopeUsageStoreDeps
  /** Counts drained but not yet written, by row key. */
  readonly #pending = new Map<string, UsageRow>()
  #last: Promise<void> = Promise.resolve()

  constructor(deps: ScopeUsageStoreDeps) {
    this.#deps = deps
  }

  /** Writes what was counted since the last flush; flushes run one after another. Never rejects. */
  flush(): Promise<void> {
    this.#last = this.#last.then(() => this.#write()).catch((error: unknown) => this.#deps.log.warn({ err: error }, 'storing scope usage failed'))
    return this.#last
  }

  async #write(): Promise<void> {
    this.#collect(this.#deps.counters.drain(), dayOf(this.#deps.clock.now()))
    if (this.#pending.size === 0) return
    const rows = [...this.#pending.values()]
    this.#pending.clear()
    try {
      await inTransaction(this.#deps.db, async (trx) => {
        for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) await upsertUsage(trx, rows.slice(i, i + ROWS_PER_STATEMENT))
      })
    } catch (error) {
      // The transaction wrote nothing: put the rows back, under counts drained since, for the next try.
      for (const row of rows) this.#add(row)
      this.#deps.log.warn({ err: error, rows: this.#pending.size }, 'storing scope usage failed; the counts are kept for the next try')
    }
  }

  #collect(counts: readonly UsageCount[], day: string): void {
    for (const count of counts) {
      const scopes = count.scopes.length === 0 ? [NO_SCOPE] : count.scopes
      for (const scope of scopes) this.#add({ client_id: count.clientId, day, operation_id: count.operationId, scope, calls: count.calls })
    }
  }

  #add(row: UsageRow): void {
    const key = `${row.client_id}\n${row.day}\n${row.operation_id}\n${row.scope}`
    const held = this.#pending.get(key)
    if (held) held.calls += row.calls
    else this.#pending.set(key, { ...row })
  }
}

async function upsertUsage(db: Db, rows: UsageRow[]): Promise<void> {
  await db
    .insertInto('scope_usage')
    .values(rows)
    .onConflict((conflict) =>
      conflict.columns(['client_id', 'day', 'operation_id', 'scope']).doUpdateSet((eb) => ({ calls: eb('scope_usage.calls', '+', eb.ref('excluded.calls')) })),
    )
    .execute()
}

/** The UTC day of an instant, as `scope_usage.day` holds it. */
export function dayOf(at: number): string {
  return new Date(at).toISOString().slice(0, 10)
}

/** Flushes the gate's usage counters every few seconds (an unref'd timer) and once more when the server closes. */
export async function scopeUsageStore(server: FastifyInstance, { counters, flushEveryMs = SCOPE_USAGE_FLUSH_MS }: { counters: ScopeUsageCounters; flushEveryMs?: number }): Promise<void> {
  const store = new ScopeUsageStore({ db: server.db, clock: server.clock, counters, log: server.log })
  const timer = setInterval(() => void store.flush(), flushEveryMs)
  timer.unref()
  // onClose hooks run in reverse order of registration, so this one runs before core's closes the database.
  server.addHook('onClose', async () => {
    clearInterval(timer)
    await store.flush()
  })
}
