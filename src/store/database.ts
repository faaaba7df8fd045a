import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SQLite from 'better-sqlite3'
import { Kysely, Migrator, PostgresAdapter, PostgresDialect, SqliteDialect, sql, type MigrationResultSet } from 'kysely'
import pg from 'pg'
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

export function openStore(databaseUrl: string): Store {
  if (databaseUrl.startsWith('sqlite:')) return openSqlite(databaseUrl.slice('sqlite:'.length))
  return openPostgres(databaseUrl)
}

function openSqlite(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
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

function openPostgres(connectionString: string): Store {
  const pool = new pg.Pool({ connectionString, max: 10 })
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {})
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  return { db, dialect: 'postgres', destroy: () => db.destroy() }
}

export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, migrationTableSchema: await currentSchema(db) })
  const result = await migrator.migrateToLatest()
  if (result.error) throw result.error
  return result
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
