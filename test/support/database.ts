import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { openStore, type Store } from '../../src/store/database.js'
import { generateKekText, parseKek, type KeyEncryptionKey } from '../../src/store/secret-box.js'

/**
 * A fresh, empty database for one test: a SQLite file in a temporary folder,
 * or, when DATABASE_URL names PostgreSQL, a new schema in that database.
 * `url` can be handed to child processes so they share it.
 */
export interface TestDatabase {
  url: string
  dialect: 'sqlite' | 'postgres'
  /**
   * The key-encryption key for this database's sealed signing keys: on PostgreSQL one per test database
   * (a deployment must configure one); on SQLite undefined, so the embedded default (a key file generated
   * next to the database file) is what every test and child process shares.
   */
  kek: KeyEncryptionKey | undefined
  /** DATABASE_URL, and GATEHOUSE_KEK where one is needed, for child processes. */
  env: Record<string, string>
  open(): Store
  drop(): Promise<void>
}

export function usingPostgres(): boolean {
  return /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '')
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (!usingPostgres()) {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'))
    const url = `sqlite:${join(dir, 'test.db')}`
    return { url, dialect: 'sqlite', kek: undefined, env: { DATABASE_URL: url }, open: () => openStore(url), drop: async () => rmSync(dir, { recursive: true, force: true }) }
  }
  const base = process.env.DATABASE_URL!
  const schema = `t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
  const admin = new pg.Client({ connectionString: base })
  // A connection dropped under a helper fails the test that awaits it, not the whole test process.
  admin.on('error', () => {})
  await admin.connect()
  await admin.query(`create schema ${schema}`)
  await admin.end()
  const url = new URL(base)
  url.searchParams.set('options', `-c search_path=${schema}`)
  const kek = generateKekText()
  return {
    url: url.toString(),
    dialect: 'postgres',
    kek: parseKek(kek),
    env: { DATABASE_URL: url.toString(), GATEHOUSE_KEK: kek },
    open: () => openStore(url.toString()),
    drop: async () => {
      const client = new pg.Client({ connectionString: base })
      client.on('error', () => {})
      await client.connect()
      await client.query(`drop schema if exists ${schema} cascade`)
      await client.end()
    },
  }
}
