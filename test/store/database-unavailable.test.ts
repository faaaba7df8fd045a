import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import SQLite from 'better-sqlite3'
import { sql } from 'kysely'
import pg from 'pg'
import { seedDemoIfEmpty } from '../../src/cli/demo-seed.js'
import { ServiceUnavailableError } from '../../src/errors.js'
import { databaseUnavailable, openStore } from '../../src/store/database.js'
import { freePort, startTestApp } from '../support/app.js'
import { createTestDatabase, usingPostgres } from '../support/database.js'
import { startTcpProxy, targetOf } from '../support/tcp-proxy.js'

// Every error here comes from a real database or a real socket, not a made-up object.
const postgresOnly = usingPostgres() ? false : 'needs PostgreSQL (DATABASE_URL=postgres://…) for its connection errors'
const sqliteOnly = usingPostgres() ? 'SQLite only: a second SQLite connection holds the write lock (PostgreSQL outages: test/e2e/database-outage.test.ts)' : false

async function failure(work: () => Promise<unknown> | unknown): Promise<unknown> {
  try {
    await work()
  } catch (error) {
    return error
  }
  assert.fail('expected the database to fail')
}

function assertUnavailable(error: unknown): void {
  const classified = databaseUnavailable(error)
  assert.ok(classified instanceof ServiceUnavailableError, `not classified as unavailable: ${String(error)}`)
  assert.equal(classified.status, 503)
  assert.ok(classified.retryAfterSeconds > 0)
}

test('SQLite: a database locked past busy_timeout, or one that cannot be opened, is unavailable; a constraint violation is not', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-unavailable-'))
  const holder = new SQLite(join(dir, 'x.db'))
  const waiter = new SQLite(join(dir, 'x.db'))
  try {
    holder.exec('create table t (id integer primary key)')
    waiter.pragma('busy_timeout = 0')
    holder.exec('begin exclusive')
    assertUnavailable(await failure(() => waiter.exec('insert into t values (1)')))
    holder.exec('rollback')
    assertUnavailable(await failure(() => new SQLite(dir)))
    waiter.exec('insert into t values (1)')
    assert.equal(databaseUnavailable(await failure(() => waiter.exec('insert into t values (1)'))), undefined)
    assert.equal(databaseUnavailable(await failure(() => waiter.exec('select * from no_such_table'))), undefined)
    assert.equal(databaseUnavailable(new Error('something else')), undefined)
  } finally {
    holder.close()
    waiter.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('PostgreSQL: refused, cut, terminated and timed-out connections are unavailable; bad values, duplicates and bad SQL are not', { skip: postgresOnly }, async () => {
  const database = await createTestDatabase()
  const client = (url: string, options: Partial<pg.ClientConfig> = {}) => {
    const c = new pg.Client({ connectionString: url, ...options })
    c.on('error', () => {})
    return c
  }
  const closedPort = await freePort()
  assertUnavailable(await failure(() => client(`postgres://postgres@127.0.0.1:${closedPort}/test`).connect()))

  const proxy = await startTcpProxy(targetOf(database.url, 5432))
  const cut = client(proxy.via(database.url))
  await cut.connect()
  const sleeping = failure(() => cut.query('select pg_sleep(10)'))
  await new Promise((resolve) => setTimeout(resolve, 100))
  proxy.cut()
  assertUnavailable(await sleeping)
  assertUnavailable(await failure(() => cut.query('select 1')))
  await proxy.stop()

  const terminated = client(database.url)
  await terminated.connect()
  const killed = await failure(() => terminated.query('select pg_terminate_backend(pg_backend_pid())'))
  assert.equal((killed as { code?: string }).code, '57P01')
  assertUnavailable(killed)

  // A server that accepts and never answers: the pool gives up after its connect timeout instead of hanging.
  const silent: Socket[] = []
  const blackHole = createServer((socket) => void silent.push(socket))
  await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve))
  const hung = openStore(`postgres://postgres@127.0.0.1:${(blackHole.address() as { port: number }).port}/test`)
  assertUnavailable(await failure(() => sql`select 1`.execute(hung.db)))
  await hung.destroy()
  for (const socket of silent) socket.destroy()
  blackHole.close()

  const store = database.open()
  try {
    await sql`create table t (id text primary key)`.execute(store.db)
    await sql`insert into t values ('a')`.execute(store.db)
    assert.equal(databaseUnavailable(await failure(() => sql`insert into t values ('a')`.execute(store.db))), undefined)
    assert.equal(databaseUnavailable(await failure(() => sql`insert into t values (${'a\u0000b'})`.execute(store.db))), undefined)
    assert.equal(databaseUnavailable(await failure(() => sql`selec 1`.execute(store.db))), undefined)
  } finally {
    await store.destroy()
    await database.drop()
  }
})

test('SQLite locked by another writer past busy_timeout: writes answer 503 with Retry-After, as OAuth JSON on the revocation endpoint and as API JSON on the API', { skip: sqliteOnly }, async () => {
  const t = await startTestApp()
  const holder = new SQLite(t.database.url.slice('sqlite:'.length))
  try {
    const seed = await seedDemoIfEmpty({ config: t.config, db: t.app.db, clock: t.app.clock, secrets: t.app.secrets })
    assert.ok(seed)
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const basic = `Basic ${Buffer.from(`${seed.app.clientId}:${seed.app.clientSecret}`).toString('base64')}`
    const issued = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { ...form, authorization: basic }, payload: 'grant_type=client_credentials' })
    assert.equal(issued.statusCode, 200)
    const bearer = { authorization: `Bearer ${issued.json().access_token}` }

    holder.exec('begin exclusive')
    const [revoke, api] = await Promise.all([
      // Revoking writes the revocation list: a write the lock refuses (reads go on under WAL).
      t.app.inject({ method: 'POST', url: '/oauth/revoke', headers: { ...form, authorization: basic }, payload: `token=${issued.json().access_token}` }),
      t.app.inject({ method: 'POST', url: '/2.0/repositories/demo/hello-world/issues', headers: { ...bearer, 'content-type': 'application/json' }, payload: { title: 'Locked out' } }),
    ])
    holder.exec('rollback')

    assert.equal(api.statusCode, 503, api.body)
    assert.match(String(api.headers['retry-after']), /^[1-9][0-9]*$/)
    assert.deepEqual(api.json(), { error: { code: 'ERR_UNAVAILABLE', message: 'The database is unavailable; try again shortly' } })
    assert.equal(revoke.statusCode, 503, revoke.body)
    assert.match(String(revoke.headers['retry-after']), /^[1-9][0-9]*$/)
    assert.equal(revoke.json().error, 'temporarily_unavailable', 'RFC 6749 error value on OAuth endpoints')
    const after = await t.app.inject({ method: 'POST', url: '/2.0/repositories/demo/hello-world/issues', headers: { ...bearer, 'content-type': 'application/json' }, payload: { title: 'Back' } })
    assert.equal(after.statusCode, 201, 'the lock gone, writes succeed again')
  } finally {
    holder.close()
    await t.close()
  }
})
