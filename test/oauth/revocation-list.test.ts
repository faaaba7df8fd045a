import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { RevocationList } from '../../src/oauth/revocation-list.js'
import { migrateToLatest } from '../../src/store/database.js'
import { createTestDatabase } from '../support/database.js'

test('a revocation recorded by one list reaches another on the same database by polling', async () => {
  const database = await createTestDatabase()
  const storeA = database.open()
  const storeB = database.open()
  const clock = { now: () => Date.now() }
  await migrateToLatest(storeA.db)
  const a = new RevocationList(storeA.db, clock, { pollMs: 50 })
  const b = new RevocationList(storeB.db, clock, { pollMs: 50 })
  try {
    await Promise.all([a.start(), b.start()])
    assert.equal(b.isRevoked('jti-1', undefined), false)
    await a.revoke('jti', 'jti-1', Date.now() + 60_000)
    await a.revoke('grant', 'grant-1', Date.now() + 60_000)
    assert.equal(a.isRevoked('jti-1', undefined), true, 'the revoking process knows at once')
    const deadline = Date.now() + 1000
    while (!b.isRevoked('jti-1', undefined) && Date.now() < deadline) await sleep(10)
    assert.equal(b.isRevoked('jti-1', undefined), true)
    assert.equal(b.isRevoked('other', 'grant-1'), true, 'a revoked grant covers every token issued under it')
    assert.equal(b.isRevoked('other', 'grant-2'), false)
  } finally {
    await Promise.all([a.stop(), b.stop()])
    await Promise.all([storeA.destroy(), storeB.destroy()])
    await database.drop()
  }
})

test('expired revocations are pruned from the store', async () => {
  const database = await createTestDatabase()
  const store = database.open()
  let now = 1_000_000
  await migrateToLatest(store.db)
  const list = new RevocationList(store.db, { now: () => now }, { pollMs: 1000 })
  try {
    await list.start()
    await list.revoke('jti', 'short', now + 10)
    await list.revoke('jti', 'long', now + 10_000)
    now += 100
    assert.equal(await list.prune(), 1)
    assert.equal(list.isRevoked('short', undefined), false)
    assert.equal(list.isRevoked('long', undefined), true)
  } finally {
    await list.stop()
    await store.destroy()
    await database.drop()
  }
})

test('with Redis, a revocation reaches another process at once, without waiting for a poll', async (t) => {
  const redisUrl = process.env.REDIS_URL
  if (!redisUrl) return t.skip('needs REDIS_URL (the PostgreSQL run of .ci/run sets it)')
  const database = await createTestDatabase()
  const storeA = database.open()
  const storeB = database.open()
  const clock = { now: () => Date.now() }
  await migrateToLatest(storeA.db)
  // A poll interval far beyond the test's wait: only the published message can carry the revocation in time.
  const a = new RevocationList(storeA.db, clock, { pollMs: 60_000, redisUrl })
  const b = new RevocationList(storeB.db, clock, { pollMs: 60_000, redisUrl })
  try {
    await Promise.all([a.start(), b.start()])
    const subject = `jti-redis-${Date.now()}`
    await a.revoke('jti', subject, Date.now() + 60_000)
    const deadline = Date.now() + 1000
    while (!b.isRevoked(subject, undefined) && Date.now() < deadline) await sleep(5)
    assert.equal(b.isRevoked(subject, undefined), true)
  } finally {
    await Promise.all([a.stop(), b.stop()])
    await Promise.all([storeA.destroy(), storeB.destroy()])
    await database.drop()
  }
})

test('clock skew: a revocation written by a node whose clock runs behind still reaches the others', async () => {
  const database = await createTestDatabase()
  const storeA = database.open()
  const storeB = database.open()
  await migrateToLatest(storeA.db)
  // The writer's clock is a minute behind: its row's created_at is older than any short poll window.
  const writer = new RevocationList(storeA.db, { now: () => Date.now() - 60_000 }, { pollMs: 60_000 })
  const reader = new RevocationList(storeB.db, { now: () => Date.now() }, { pollMs: 50, fullPollMs: 300 })
  try {
    await Promise.all([writer.start(), reader.start()])
    await sleep(100)
    await writer.revoke('jti', 'late-jti', Date.now() + 600_000)
    const deadline = Date.now() + 2000
    while (!reader.isRevoked('late-jti', undefined) && Date.now() < deadline) await sleep(20)
    assert.equal(reader.isRevoked('late-jti', undefined), true)
  } finally {
    await Promise.all([writer.stop(), reader.stop()])
    await Promise.all([storeA.destroy(), storeB.destroy()])
    await database.drop()
  }
})
