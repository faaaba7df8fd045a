import assert from 'node:assert/strict'
import { test } from 'node:test'
import { sql } from 'kysely'
import { createMigrator, migrateToLatest, retryingVanishedSchema, type Store } from '../../src/store/database.js'
import { migrations } from '../../src/store/migrations/index.js'
import { createTestDatabase } from '../support/database.js'

// Written over the `migrations` list, so every migration added later is taken down and up too.

interface Schema {
  /** table → its columns as "name type null|not null", sorted */
  tables: Record<string, string[]>
  /** "table(index): columns", sorted */
  indexes: string[]
}

const MIGRATOR_TABLES = /^kysely_migration/

async function schemaOf(store: Store): Promise<Schema> {
  const tables: Record<string, string[]> = {}
  const indexes: string[] = []
  if (store.dialect === 'sqlite') {
    const objects = await sql<{ type: string; name: string; tbl_name: string }>`
      select type, name, tbl_name from sqlite_master where name not like 'sqlite_%' order by name`.execute(store.db)
    for (const object of objects.rows) {
      if (MIGRATOR_TABLES.test(object.tbl_name)) continue
      if (object.type === 'table') {
        const columns = await sql<{ name: string; type: string; notnull: number }>`select name, type, "notnull" from pragma_table_info(${object.name})`.execute(store.db)
        tables[object.name] = columns.rows.map((c) => `${c.name} ${c.type.toLowerCase()} ${c.notnull ? 'not null' : 'null'}`).sort()
      } else if (object.type === 'index') {
        const columns = await sql<{ name: string }>`select name from pragma_index_info(${object.name}) order by seqno`.execute(store.db)
        indexes.push(`${object.tbl_name}(${object.name}): ${columns.rows.map((c) => c.name).join(', ')}`)
      }
    }
  } else {
    const columns = await sql<{ table_name: string; column_name: string; data_type: string; is_nullable: string }>`
      select table_name, column_name, data_type, is_nullable from information_schema.columns
      where table_schema = current_schema()`.execute(store.db)
    for (const c of columns.rows) {
      if (MIGRATOR_TABLES.test(c.table_name)) continue
      ;(tables[c.table_name] ??= []).push(`${c.column_name} ${c.data_type} ${c.is_nullable === 'YES' ? 'null' : 'not null'}`)
    }
    for (const list of Object.values(tables)) list.sort()
    const found = await sql<{ tablename: string; indexname: string; indexdef: string }>`
      select tablename, indexname, indexdef from pg_indexes where schemaname = current_schema()`.execute(store.db)
    for (const index of found.rows) {
      if (MIGRATOR_TABLES.test(index.tablename) || index.indexname.endsWith('_pkey')) continue
      indexes.push(`${index.tablename}(${index.indexname}): ${/\(([^)]*)\)[^)]*$/.exec(index.indexdef)?.[1] ?? index.indexdef}`)
    }
  }
  return { tables, indexes: indexes.sort() }
}

test('every migration goes down and up again: each down undoes its own up, and all the way down leaves no table or index', async () => {
  const database = await createTestDatabase()
  const store = database.open()
  try {
    const names = Object.keys(migrations).sort()
    const migrator = await createMigrator(store.db)
    const up = await retryingVanishedSchema(() => migrator.migrateToLatest())
    assert.equal(up.error, undefined)
    assert.deepEqual(up.results?.map((r) => r.migrationName), names)
    const latest = await schemaOf(store)
    assert.ok(Object.keys(latest.tables).length > 0)

    // Newest first, as a rollback goes: down, up again (the schema must be as before), down for good.
    for (const name of [...names].reverse()) {
      const before = await schemaOf(store)
      const down = await retryingVanishedSchema(() => migrator.migrateDown())
      assert.equal(down.error, undefined, `${name} down failed: ${String(down.error)}`)
      assert.deepEqual(down.results?.map((r) => [r.migrationName, r.status]), [[name, 'Success']])
      const after = await schemaOf(store)
      assert.notDeepEqual(after, before, `${name} down changed nothing`)
      const again = await retryingVanishedSchema(() => migrator.migrateUp())
      assert.equal(again.error, undefined, `${name} up after its down failed: ${String(again.error)}`)
      assert.deepEqual(await schemaOf(store), before, `${name} up after its down does not give the same schema`)
      assert.equal((await retryingVanishedSchema(() => migrator.migrateDown())).error, undefined)
      assert.deepEqual(await schemaOf(store), after)
    }
    assert.deepEqual(await schemaOf(store), { tables: {}, indexes: [] }, 'all the way down leaves nothing of ours')
    assert.deepEqual((await migrator.getMigrations()).filter((m) => m.executedAt !== undefined), [])

    const reapplied = await retryingVanishedSchema(() => migrator.migrateToLatest())
    assert.equal(reapplied.error, undefined)
    assert.deepEqual(reapplied.results?.map((r) => r.migrationName), names)
    assert.deepEqual(await schemaOf(store), latest, 'up from nothing again gives the same schema')
  } finally {
    await store.destroy()
    await database.drop()
  }
})

test('every expires_at the prune jobs delete by is indexed', async () => {
  const database = await createTestDatabase()
  const store = database.open()
  try {
    await migrateToLatest(store.db)
    const { indexes } = await schemaOf(store)
    for (const table of ['authorization_codes', 'refresh_tokens', 'registration_tokens', 'grants', 'app_secrets', 'sessions', 'revocations']) {
      assert.ok(
        indexes.some((index) => index.startsWith(`${table}(`) && index.endsWith('): expires_at')),
        `${table}.expires_at has no index of its own; indexes: ${indexes.filter((i) => i.startsWith(`${table}(`)).join('; ')}`,
      )
    }
  } finally {
    await store.destroy()
    await database.drop()
  }
})
