import assert from 'node:assert/strict'
import { test } from 'node:test'
import { migrateToLatest } from '../../src/store/database.js'
import { createTestDatabase } from '../support/database.js'

test('migrations run on an empty database and again as a no-op', async () => {
  const database = await createTestDatabase()
  const store = database.open()
  try {
    const first = await migrateToLatest(store.db)
    assert.ok(first.results && first.results.length > 0)
    assert.ok(first.results.every((r) => r.status === 'Success'))
    const second = await migrateToLatest(store.db)
    assert.deepEqual(second.results, [])
    const now = Date.now()
    await store.db.insertInto('workspaces').values({ id: 'w1', slug: 'acme', name: 'Acme', created_at: now }).execute()
    const row = await store.db.selectFrom('workspaces').selectAll().executeTakeFirstOrThrow()
    assert.equal(row.created_at, now, 'bigint instants come back as numbers on both dialects')
  } finally {
    await store.destroy()
    await database.drop()
  }
})
