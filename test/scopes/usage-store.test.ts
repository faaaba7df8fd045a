import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { ScopeUsageCounters } from '../../src/gateway/scope-usage-counters.js'
import { ScopeUsageStore } from '../../src/gateway/scope-usage-store.js'
import { createWorkspace } from '../../src/platform/index.js'
import { buildServer } from '../../src/server.js'
import { migrateToLatest, type Db } from '../../src/store/database.js'
import { createUser } from '../../src/users/users.service.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { createTestDatabase } from '../support/database.js'

// The gate counts, per app, which scopes the calls it let through needed; the usage store moves the
// counts into scope_usage off the request path: every 5 seconds and when the server closes, merged
// per row and added to what is stored. Real gated requests through the sample API, on either database.

const DAY_ONE = Date.parse('2027-03-01T10:00:00Z')
const cleanups: (() => Promise<void>)[] = []
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup()
})

interface Row {
  client_id: string
  day: string
  operation_id: string
  scope: string
  calls: number
}

async function rows(db: Db): Promise<Row[]> {
  const found = await db.selectFrom('scope_usage').selectAll().orderBy('client_id').orderBy('day').orderBy('operation_id').orderBy('scope').execute()
  return found.map((r) => ({ ...r, calls: Number(r.calls) }))
}

/** A test app whose database outlives it, so what its close wrote can be read afterwards. */
async function startApp(now: () => number): Promise<TestApp & { userId: string }> {
  const t = await startTestApp({}, { clock: { now } })
  cleanups.push(() => t.database.drop())
  const user = await createUser(t.app.db, t.app.clock, { username: 'ada', password: 'correct horse battery' })
  await createWorkspace(t.app.db, t.app.clock, { slug: 'acme', name: 'Acme', members: [{ userId: user.id, role: 'owner' }] })
  return { ...t, userId: user.id }
}

async function call(t: TestApp & { userId: string }, clientId: string, scope: string, url: string, method: 'GET' | 'HEAD' = 'GET'): Promise<void> {
  const { token } = await t.app.accessTokens.issue({ subject: t.userId, clientId, scope })
  const response = await t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` } })
  assert.ok(response.statusCode < 300, `${method} ${url} with ${scope}: ${response.statusCode} ${response.body}`)
}

test('calls let through reach scope_usage when the server closes: per app, day, operation and scope, GET and HEAD merged, refused and public calls not counted', async (context) => {
  // The 5-second timer stays still (mocked), so only the close writes.
  context.mock.timers.enable({ apis: ['setInterval'] })
  const t = await startApp(() => DAY_ONE)
  await call(t, 'sync-app', 'read:user', '/2.0/user')
  await call(t, 'sync-app', 'read:user', '/2.0/user')
  // Fastify's HEAD route has counters of its own for the same operation: one row, all three calls.
  await call(t, 'sync-app', 'read:user', '/2.0/user', 'HEAD')
  await call(t, 'sync-app', 'account', '/2.0/user')
  await call(t, 'sync-app', 'read:workspace read:workspace-member', '/2.0/workspaces/acme/members')
  await call(t, 'other-app', 'workspace', '/2.0/workspaces/acme/members')
  // A token holding both a classic and a granular requirement is counted under the granular one.
  await call(t, 'other-app', 'workspace read:workspace', '/2.0/workspaces/acme')
  const { token } = await t.app.accessTokens.issue({ subject: t.userId, clientId: 'sync-app', scope: 'read:repository' })
  assert.equal((await t.app.inject({ url: '/2.0/user', headers: { authorization: `Bearer ${token}` } })).statusCode, 403)
  assert.equal((await t.app.inject({ url: '/2.0/openapi.json' })).statusCode, 200)

  assert.deepEqual(await rows(t.app.db), [], 'nothing is written on the request path')
  await t.app.close()

  const store = t.database.open()
  try {
    assert.deepEqual(await rows(store.db), [
      { client_id: 'other-app', day: '2027-03-01', operation_id: 'getWorkspace', scope: 'read:workspace', calls: 1 },
      { client_id: 'other-app', day: '2027-03-01', operation_id: 'listWorkspaceMembers', scope: 'workspace', calls: 1 },
      { client_id: 'sync-app', day: '2027-03-01', operation_id: 'getCurrentUser', scope: 'account', calls: 1 },
      { client_id: 'sync-app', day: '2027-03-01', operation_id: 'getCurrentUser', scope: 'read:user', calls: 3 },
      { client_id: 'sync-app', day: '2027-03-01', operation_id: 'listWorkspaceMembers', scope: 'read:workspace', calls: 1 },
      { client_id: 'sync-app', day: '2027-03-01', operation_id: 'listWorkspaceMembers', scope: 'read:workspace-member', calls: 1 },
    ])
  } finally {
    await store.destroy()
  }
})

test('the counts are flushed every 5 seconds while the server runs, not before', async (context) => {
  // Only setInterval is mocked: the database and the requests keep their real timers.
  context.mock.timers.enable({ apis: ['setInterval'] })
  const t = await startApp(() => DAY_ONE)
  cleanups.push(() => t.app.close())
  await call(t, 'sync-app', 'read:user', '/2.0/user')
  context.mock.timers.tick(4999)
  await sleep(100)
  assert.deepEqual(await rows(t.app.db), [])
  context.mock.timers.tick(1)
  const written = await eventually(() => rows(t.app.db), (found) => found.length > 0)
  assert.deepEqual(written, [{ client_id: 'sync-app', day: '2027-03-01', operation_id: 'getCurrentUser', scope: 'read:user', calls: 1 }])

  await call(t, 'sync-app', 'read:user', '/2.0/user')
  await call(t, 'sync-app', 'read:user', '/2.0/user')
  context.mock.timers.tick(5000)
  const added = await eventually(() => rows(t.app.db), (found) => found[0]?.calls === 3)
  assert.equal(added.length, 1, 'the next flush adds to the stored row')
})

test('servers on one database each flush their own counts, and the stored counts add up', async (context) => {
  context.mock.timers.enable({ apis: ['setInterval'] })
  let now = DAY_ONE
  const first = await startApp(() => now)
  const another = async (scopes: string[]) => {
    const server = await buildServer(first.config, { clock: { now: () => now } })
    await server.ready()
    for (const scope of scopes) {
      const { token } = await server.accessTokens.issue({ subject: first.userId, clientId: 'sync-app', scope })
      assert.equal((await server.inject({ url: '/2.0/user', headers: { authorization: `Bearer ${token}` } })).statusCode, 200)
    }
    await server.close()
  }
  await another(['read:user', 'account'])
  now += 24 * 60 * 60 * 1000
  await call(first, 'sync-app', 'read:user', '/2.0/user')
  await call(first, 'sync-app', 'read:user', '/2.0/user')
  await another(['read:user'])
  await first.app.close()

  const store = first.database.open()
  try {
    assert.deepEqual(await rows(store.db), [
      { client_id: 'sync-app', day: '2027-03-01', operation_id: 'getCurrentUser', scope: 'account', calls: 1 },
      { client_id: 'sync-app', day: '2027-03-01', operation_id: 'getCurrentUser', scope: 'read:user', calls: 1 },
      { client_id: 'sync-app', day: '2027-03-02', operation_id: 'getCurrentUser', scope: 'read:user', calls: 3 },
    ])
  } finally {
    await store.destroy()
  }
})

test('a flush the database refuses keeps its counts and adds them to the next one, with a warning', async () => {
  const database = await createTestDatabase()
  const store = database.open()
  cleanups.push(async () => {
    await store.destroy()
    await database.drop()
  })
  await migrateToLatest(store.db)
  const counters = new ScopeUsageCounters()
  const user = counters.counterFor('getCurrentUser', ['read:user'])
  const warnings: string[] = []
  const usage = new ScopeUsageStore({ db: store.db, clock: { now: () => DAY_ONE }, counters, log: { warn: (_: unknown, message?: string) => void warnings.push(message ?? '') } })

  user.calls.set('sync-app', 2)
  await store.db.schema.alterTable('scope_usage').renameTo('scope_usage_away').execute()
  await usage.flush()
  assert.equal(warnings.length, 1)
  assert.match(warnings[0], /storing scope usage failed; the counts are kept/)
  await store.db.schema.alterTable('scope_usage_away').renameTo('scope_usage').execute()
  assert.deepEqual(await rows(store.db), [])

  user.calls.set('sync-app', 5)
  await usage.flush()
  assert.deepEqual(await rows(store.db), [{ client_id: 'sync-app', day: '2027-03-01', operation_id: 'getCurrentUser', scope: 'read:user', calls: 7 }])
  await usage.flush()
  assert.equal((await rows(store.db))[0].calls, 7, 'what was written is not written again')
})

test('regression: counts of one row from two counters (a GET and its HEAD) go in one upsert row, which PostgreSQL requires; a requirement of no scope counts under ""', async () => {
  const database = await createTestDatabase()
  const store = database.open()
  cleanups.push(async () => {
    await store.destroy()
    await database.drop()
  })
  await migrateToLatest(store.db)
  const counters = new ScopeUsageCounters()
  counters.counterFor('getThing', []).calls.set('sync-app', 2)
  counters.counterFor('getThing', []).calls.set('sync-app', 3)
  counters.counterFor('getThing', ['read:thing', 'read:other']).calls.set('sync-app', 1)
  counters.counterFor('getThing', ['read:thing']).calls.set('sync-app', 4)
  const warnings: unknown[] = []
  const usage = new ScopeUsageStore({ db: store.db, clock: { now: () => DAY_ONE }, counters, log: { warn: (error: unknown) => void warnings.push(error) } })
  await usage.flush()
  assert.deepEqual(warnings, [])
  assert.deepEqual(await rows(store.db), [
    { client_id: 'sync-app', day: '2027-03-01', operation_id: 'getThing', scope: '', calls: 5 },
    { client_id: 'sync-app', day: '2027-03-01', operation_id: 'getThing', scope: 'read:other', calls: 1 },
    { client_id: 'sync-app', day: '2027-03-01', operation_id: 'getThing', scope: 'read:thing', calls: 5 },
  ])
})

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > deadline) return value
    await sleep(20)
  }
}
