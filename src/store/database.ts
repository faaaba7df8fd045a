import SQLite from 'better-sqlite3'
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type MigrationResultSet } from 'kysely'
import pg from 'pg'
import { ConfigError, ServiceUnavailableError } from '../errors.js'
import { ensureDatabaseFolder } from './embedded-database.js'
import { migrations } from './migrations/index.js'
import type { Database } from './schema.js'

export type Db = Kysely<Database>
export type DialectName = 'sqlite' | 'postgres'

export interface Store {
  db: Db
  dialect: DialectName
  destroy(): Promise<void>
}

// int8 (bigint) columns hold epoch milliseconds, well inside Number's safe range.
pg.types.setTypeParser(20, (value) => Number(value))

export interface StoreOptions {
  /**
   * Told when a pooled PostgreSQL connection fails outside a query's own error path (the server
   * restarted, a failover, a cut network). The pool drops the connection and opens a new one when
   * next needed; without a listener, pg's Client would crash the process with an unhandled 'error'.
   */
  onConnectionError?: (error: Error) => void
}

/** A new connection that cannot be made within this long fails, so requests answer 503 instead of hanging. */
export const CONNECT_TIMEOUT_MS = 2000

export function openStore(databaseUrl: string, options: StoreOptions = {}): Store {
  if (databaseUrl.startsWith('sqlite:')) {
    ensureDatabaseFolder(databaseUrl)
    const path = databaseUrl.slice('sqlite:'.length)
    try {
      return openSqlite(path)
    } catch (error) {
      if (!isUnusableSqliteFile(error)) throw error
      throw new ConfigError(`DATABASE_URL names ${path}, which cannot be used as a SQLite database (${(error as Error).message})`)
    }
  }
  return openPostgres(databaseUrl, options)
}

// At open, these say the file itself is wrong (not a database, not readable or writable), not that it is busy.
const UNUSABLE_SQLITE_FILE = new Set(['SQLITE_CANTOPEN', 'SQLITE_NOTADB', 'SQLITE_PERM', 'SQLITE_READONLY', 'SQLITE_CORRUPT', 'SQLITE_AUTH'])

function isUnusableSqliteFile(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && UNUSABLE_SQLITE_FILE.has(code.split('_', 2).join('_'))
}

function openSqlite(path: string): Store {
  const sqlite = new SQLite(path)
  sqlite.pragma('journal_mode = WAL')
  // WAL with synchronous=NORMAL is durable across process crashes; only an OS crash can lose the last commits.
  sqlite.pragma('synchronous = NORMAL')
  sqlite.pragma('foreign_keys = ON')
  // Several processes may share the file (CLI next to a server): wait for locks instead of failing.
  sqlite.pragma('busy_timeout = 5000')
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
  return { db, dialect: 'sqlite', destroy: () => db.destroy() }
}

function openPostgres(connectionString: string, { onConnectionError = () => {} }: StoreOptions): Store {
  const pool = new pg.Pool({
    connectionString,
    max: 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // TCP keepalive notices a peer that vanished without closing (a failover, a dropped route).
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  })
  // Every client gets its own listener for its whole life: pg-pool listens only while a client is
  // idle, so one that loses its connection while checked out (mid-query, mid-transaction) would emit
  // 'error' with no listener and take the process down. Its query rejects on its own; released
  // unqueryable, the pool discards it.
  pool.on('connect', (client) => client.on('error', onConnectionError))
  // The pool re-emits an idle client's error here after discarding it; the client's listener has reported it.
  pool.on('error', () => {})
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return { db, dialect: 'postgres', destroy: () => db.destroy() }
}

/** The migrator over `migrations`; also used by tests that take the schema down and up again. */
export async function createMigrator(db: Db): Promise<Migrator> {
  return new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema: await currentSchema(db) })
}

export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  const result = await retryingVanishedSchema(async () => (await createMigrator(db)).migrateToLatest())
  if (result.error) throw result.error
  return result
}

/**
 * Runs a migrator step again when it failed only because another process changed its own schema
 * meanwhile: Kysely looks for its own tables by listing every schema's tables and columns, and a
 * schema, table or column dropped during that listing (tests on one PostgreSQL database drop and
 * migrate theirs) fails it with 3F000, 42P01 or 42703. Nothing was applied; look again.
 */
export async function retryingVanishedSchema(step: () => Promise<MigrationResultSet>): Promise<MigrationResultSet> {
  for (let attempt = 1; ; attempt++) {
    const result = await step()
    if (!result.error || !isVanishedSchema(result.error) || attempt === 5) return result
    await new Promise((resolve) => setTimeout(resolve, 25 * attempt))
  }
}

const VANISHED_DURING_LISTING = new Set(['3F000', '42P01', '42703'])

function isVanishedSchema(error: unknown): boolean {
  return error instanceof pg.DatabaseError && VANISHED_DURING_LISTING.has(error.code ?? '')
}

/**
 * On PostgreSQL the migrator's own tables go in the connection's current schema: left
 * unnamed, Kysely looks them up across all schemas and can mistake another schema's for ours.
 */
async function currentSchema(db: Db): Promise<string | undefined> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return undefined
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db)
  return rows[0]?.schema
}

/**
 * PostgreSQL refused a value (SQLSTATE class 22, data exception — e.g. a NUL character in text,
 * which SQLite stores): the request's fault, not the server's.
 */
export function isRejectedValue(error: unknown): boolean {
  return error instanceof pg.DatabaseError && typeof error.code === 'string' && error.code.startsWith('22')
}

/** Runs `work` in the caller's transaction if `db` is one, else in a new one, so services compose. */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work)
}

/** Whether a database error is a unique-constraint violation, on either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  // PostgreSQL reports SQLSTATE 23505; better-sqlite3 names the constraint kind.
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
}

/** What a client is told to wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5

/**
 * The one place that decides whether a database error means "the database is unreachable right
 * now" (refused, dropped, restarting, timed out, locked) rather than "this request or this code is
 * wrong". Such errors become a 503 with Retry-After; everything else is left to the caller.
 */
export function databaseUnavailable(error: unknown): ServiceUnavailableError | undefined {
  if (!isConnectionFailure(error, 0)) return undefined
  return new ServiceUnavailableError('The database is unavailable; try again shortly', DATABASE_RETRY_AFTER_SECONDS)
}

// Socket errors from connecting to or talking with PostgreSQL.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH'])
// SQLSTATE: admin_shutdown, crash_shutdown, cannot_connect_now (starting up, failing over),
// too_many_connections, query_canceled (a statement timeout). Class 08 is checked by prefix.
const POSTGRES_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300', '57014'])
// better-sqlite3 names the primary result code first: SQLITE_BUSY_SNAPSHOT is a kind of SQLITE_BUSY.
const SQLITE_UNAVAILABLE = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_IOERR'])
// pg and pg-pool report a lost or refused connection with plain Errors and these messages.
const POSTGRES_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'is not queryable',
  'Query read timeout',
  'Cannot use a pool after calling end on the pool',
  'driver has already been destroyed',
]

/**
 * PostgreSQL refused the connection for what DATABASE_URL says rather than for an outage: a wrong
 * user or password (SQLSTATE class 28) or a database that does not exist (3D000).
 */
export function isConnectionRefusedBySettings(error: unknown): boolean {
  return error instanceof pg.DatabaseError && typeof error.code === 'string' && (error.code.startsWith('28') || error.code === '3D000')
}

/** better-sqlite3's errors carry SQLite's result code (`SQLITE_CANTOPEN`, …). */
export function isSqliteError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return typeof code === 'string' && code.startsWith('SQLITE_')
}

function isConnectionFailure(error: unknown, depth: number): boolean {
  if (typeof error !== 'object' || error === null || depth > 3) return false
  const { code, message, cause, errors } = error as { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown }
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || POSTGRES_UNAVAILABLE.has(code) || /^08[0-9A-Z]{3}$/.test(code)) return true
    if (SQLITE_UNAVAILABLE.has(code.split('_', 2).join('_'))) return true
  }
  if (!(error instanceof pg.DatabaseError) && typeof message === 'string' && POSTGRES_CONNECTION_MESSAGES.some((m) => message.includes(m))) return true
  // Node reports a refused connection to every address of a host as an AggregateError.
  if (Array.isArray(errors) && errors.some((inner) => isConnectionFailure(inner, depth + 1))) return true
  return isConnectionFailure(cause, depth + 1)
}
