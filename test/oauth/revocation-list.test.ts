import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { FOREVER, RevocationList, type RevocableToken } from '../../src/oauth/revocation-list.js'
import { migrateToLatest } from '../../src/store/database.js'
import { createTestDatabase } from '../support/database.js'

/** A token as the gate sees it; only `tokenId` and `grantId` vary unless a test says otherwise. */
function token(tokenId: string, grantId?: string, more: Partial<RevocableToken> = {}): RevocableToken {
  return { tokenId, grantId, userId: 'user-0', clientId: 'client-0', issuedAt: 1_000_000, ...more }
}

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
    assert.equal(b.isRevoked(token('jti-1')), false)
    await a.revoke('jti', 'jti-1', Date.now() + 60_000)
    await a.revoke('grant', 'grant-1', Date.now() + 60_000)
    assert.equal(a.isRevoked(token('jti-1')), true, 'the revoking process knows at once')
    const deadline = Date.now() + 1000
    while (!b.isRevoked(token('jti-1')) && Date.now() < deadline) await sleep(10)
    assert.equal(b.isRevoked(token('jti-1')), true)
    assert.equal(b.isRevoked(token('other', 'grant-1')), true, 'a revoked grant covers every token issued under it')
    assert.equal(b.isRevoked(token('other', 'grant-2')), false)
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
    assert.equal(list.isRevoked(token('short')), false)
    assert.equal(list.isRevoked(token('long')), true)
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
    while (!b.isRevoked(token(subject)) && Date.now() < deadline) await sleep(5)
    assert.equal(b.isRevoked(token(subject)), true)
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
    while (!reader.isRevoked(token('late-jti')) && Date.now() < deadline) await sleep(20)
    assert.equal(reader.isRevoked(token('late-jti')), true)
  } finally {
    await Promise.all([writer.stop(), reader.stop()])
    await Promise.all([storeA.destroy(), storeB.destroy()])
    await database.drop()
  }
})

/** Two lists on one database, as two processes would have; `redisUrl` makes them publish too. */
async function twoLists(options: { pollMs: number; redisUrl?: string; clock?: { now(): number } }) {
  const database = await createTestDatabase()
  const storeA = database.open()
  const storeB = database.open()
  await migrateToLatest(storeA.db)
  const clock = options.clock ?? { now: () => Date.now() }
  const a = new RevocationList(storeA.db, clock, options)
  const b = new RevocationList(storeB.db, clock, options)
  await Promise.all([a.start(), b.start()])
  return {
    a, b, dbA: storeA.db,
    close: async () => {
      await Promise.all([a.stop(), b.stop()])
      await Promise.all([storeA.destroy(), storeB.destroy()])
      await database.drop()
    },
  }
}

async function eventually(check: () => boolean, ms = 1000): Promise<boolean> {
  const deadline = Date.now() + ms
  while (!check() && Date.now() < deadline) await sleep(10)
  return check()
}

test('a user revocation covers every token of that user issued up to its cutoff, whatever its grant or app', async () => {
  const lists = await twoLists({ pollMs: 50 })
  try {
    const cutoff = 1_000_000_500 // ms: inside second 1 000 000
    const announce = await lists.a.recordSubject(lists.dbA, 'user', 'ada', { issuedBefore: cutoff, expiresAt: Date.now() + 60_000 })
    announce()
    for (const list of [lists.a, lists.b]) {
      assert.equal(await eventually(() => list.isRevoked(token('t1', 'g1', { userId: 'ada', issuedAt: 999_999 }))), true)
      // `iat` has whole seconds, so the cutoff's own second is covered: a token from it may predate the cutoff.
      assert.equal(list.isRevoked(token('t2', undefined, { userId: 'ada', issuedAt: 1_000_000 })), true)
      assert.equal(list.isRevoked(token('t3', 'g1', { userId: 'ada', issuedAt: 1_000_001 })), false, 'issued after the cutoff')
      assert.equal(list.isRevoked(token('t4', 'g1', { userId: 'grace', issuedAt: 999_999 })), false, 'another user')
    }
  } finally {
    await lists.close()
  }
})

test('an app revocation of "all" covers its tokens whenever issued, and lowering it later brings none from before back', async () => {
  const lists = await twoLists({ pollMs: 50 })
  try {
    const tokenOf = (issuedAt: number) => token(`t-${issuedAt}`, 'g', { clientId: 'app-1', issuedAt })
    ;(await lists.a.recordSubject(lists.dbA, 'app', 'app-1', { issuedBefore: 'all', expiresAt: FOREVER }))()
    assert.equal(await eventually(() => lists.b.isRevoked(tokenOf(4_000_000_000))), true, 'even a token from the future')
    // Re-enabled at second 2 000 000: everything until then stays revoked, later tokens work.
    ;(await lists.a.recordSubject(lists.dbA, 'app', 'app-1', { issuedBefore: 2_000_000_000, expiresAt: Date.now() + 60_000 }))()
    assert.equal(await eventually(() => !lists.b.isRevoked(tokenOf(2_000_001))), true)
    assert.equal(lists.b.isRevoked(tokenOf(1_999_999)), true)
    const rows = await lists.dbA.selectFrom('revocations').select(['id', 'version']).where('kind', '=', 'app').execute()
    assert.equal(rows.length, 1, 'one row per subject, updated in place')
  } finally {
    await lists.close()
  }
})

test('subject updates apply in order even when an older one arrives last (the poll re-reads rows)', async () => {
  const lists = await twoLists({ pollMs: 50 })
  try {
    const newer = await lists.a.recordSubject(lists.dbA, 'user', 'u', { issuedBefore: 'all', expiresAt: FOREVER })
    const newest = await lists.a.recordSubject(lists.dbA, 'user', 'u', { issuedBefore: 5_000, expiresAt: Date.now() + 60_000 })
    newest()
    newer() // delivered late: must not win
    assert.equal(lists.a.isRevoked(token('x', undefined, { userId: 'u', issuedAt: 100 })), false)
    const version = await lists.dbA.selectFrom('revocations').select('version').where('id', '=', 'user:u').executeTakeFirstOrThrow()
    assert.ok(Number(version.version) > 0)
    await sleep(200)
    assert.equal(lists.b.isRevoked(token('x', undefined, { userId: 'u', issuedAt: 100 })), false)
    assert.equal(lists.b.isRevoked(token('x', undefined, { userId: 'u', issuedAt: 5 })), true)
  } finally {
    await lists.close()
  }
})

test('app-changed notices reach every list once, by polling', async () => {
  const lists = await twoLists({ pollMs: 50 })
  try {
    const heard: string[] = []
    lists.b.onAppChanged((clientId) => heard.push(clientId))
    const local: string[] = []
    lists.a.onAppChanged((clientId) => local.push(clientId))
    ;(await lists.a.recordAppChanged(lists.dbA, 'client-1'))()
    assert.deepEqual(local, ['client-1'], 'the writer hears at once')
    assert.equal(await eventually(() => heard.length > 0), true)
    await sleep(300) // several polls re-read the row within their overlap
    assert.deepEqual(heard, ['client-1'])
    assert.deepEqual(local, ['client-1'])
  } finally {
    await lists.close()
  }
})

test('with Redis, subject revocations and app-changed notices reach another process at once', async (t) => {
  const redisUrl = process.env.REDIS_URL
  if (!redisUrl) return t.skip('needs REDIS_URL (the PostgreSQL run of .ci/run sets it)')
  const lists = await twoLists({ pollMs: 60_000, redisUrl })
  try {
    const heard: string[] = []
    lists.b.onAppChanged((clientId) => heard.push(clientId))
    const subject = `user-${Date.now()}`
    ;(await lists.a.recordSubject(lists.dbA, 'user', subject, { issuedBefore: 'all', expiresAt: FOREVER }))()
    ;(await lists.a.recordAppChanged(lists.dbA, `client-${subject}`))()
    assert.equal(await eventually(() => lists.b.isRevoked(token('t', undefined, { userId: subject }))), true)
    assert.equal(await eventually(() => heard.length === 1), true)
    assert.deepEqual(heard, [`client-${subject}`])
  } finally {
    await lists.close()
  }
})

test('a publish-only list (the CLI) reaches running lists through Redis', async (t) => {
  const redisUrl = process.env.REDIS_URL
  if (!redisUrl) return t.skip('needs REDIS_URL (the PostgreSQL run of .ci/run sets it)')
  const lists = await twoLists({ pollMs: 60_000, redisUrl })
  const cli = new RevocationList(lists.dbA, { now: () => Date.now() }, { pollMs: 60_000, redisUrl })
  try {
    await cli.connectPublisher()
    const subject = `cli-jti-${Date.now()}`
    await cli.revoke('jti', subject, Date.now() + 60_000)
    assert.equal(await eventually(() => lists.b.isRevoked(token(subject))), true)
  } finally {
    await cli.stop()
    await lists.close()
  }
})
