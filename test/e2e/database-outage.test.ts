import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import pg from 'pg'
import { freePort } from '../support/app.js'
import { createTestDatabase, usingPostgres, type TestDatabase } from '../support/database.js'
import { runCli, startServerProcess, type ServerProcess } from '../support/processes.js'
import { startTcpProxy, targetOf, type TcpProxy } from '../support/tcp-proxy.js'
import { startUpstream, type TestUpstream } from '../support/upstream.js'

// A real `gatehouse serve` reaches PostgreSQL through a TCP proxy the test controls, so the test can
// cut its connections (as a failover or restart does) or take the database away and bring it back.
const skip = usingPostgres() ? false : 'needs PostgreSQL (DATABASE_URL=postgres://…): it cuts the connections between the server and PostgreSQL'

interface Setup {
  database: TestDatabase
  proxy: TcpProxy
  server: ServerProcess
  baseUrl: string
  /** Basic credentials of the apps made for the test, by name. */
  apps: Record<string, { clientId: string; basic: string }>
  close(): Promise<void>
}

async function setUp(appNames: string[], scope: string, extraEnv: Record<string, string> = {}): Promise<Setup> {
  const database = await createTestDatabase()
  const proxy = await startTcpProxy(targetOf(database.url, 5432))
  try {
    return await startBehind(database, proxy, appNames, scope, extraEnv)
  } catch (error) {
    await proxy.stop()
    await database.drop()
    throw error
  }
}

async function startBehind(database: TestDatabase, proxy: TcpProxy, appNames: string[], scope: string, extraEnv: Record<string, string>): Promise<Setup> {
  const port = await freePort()
  const env = { GATEHOUSE_SEED_DEMO: 'false', GATEHOUSE_RATE_LIMIT: '0', ...extraEnv }
  const direct = { ...env, ...database.env }
  const owner = await runCli(['user', 'add', 'owner', '--password-stdin', '--json'], direct, 'correct horse battery')
  assert.equal(owner.code, 0, owner.stderr)
  const apps: Setup['apps'] = {}
  for (const name of appNames) {
    const created = await runCli(['app', 'create', '--name', name, '--grant', 'client_credentials', '--scope', scope, '--owner', 'owner', '--json'], direct)
    assert.equal(created.code, 0, created.stderr)
    const { client_id, client_secret } = JSON.parse(created.stdout) as { client_id: string; client_secret: string }
    apps[name] = { clientId: client_id, basic: `Basic ${Buffer.from(`${encodeURIComponent(client_id)}:${encodeURIComponent(client_secret)}`).toString('base64')}` }
  }
  const server = await startServerProcess({ ...direct, DATABASE_URL: proxy.via(database.url), PORT: String(port) })
  return {
    database,
    proxy,
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    apps,
    close: async () => {
      await server.stop()
      await proxy.stop()
      await database.drop()
    },
  }
}

function requestToken(s: Setup, app: string): Promise<Response> {
  return fetch(`${s.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: s.apps[app].basic, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  })
}

async function issueToken(s: Setup, app: string): Promise<string> {
  const response = await requestToken(s, app)
  assert.equal(response.status, 200, await response.clone().text())
  return ((await response.json()) as { access_token: string }).access_token
}

function assertAlive(s: Setup): void {
  assert.equal(s.server.child.exitCode, null, `the server exited:\n${s.server.output()}`)
  assert.doesNotMatch(s.server.output(), /Unhandled 'error' event/)
}

function assertRetryAfter(response: Response): void {
  assert.match(response.headers.get('retry-after') ?? '', /^[1-9][0-9]*$/, 'a 503 says when to retry')
}

test("regression: a PostgreSQL connection cut while a query is running no longer kills the server with pg's unhandled 'error' event", { skip }, async () => {
  const s = await setUp(['Service'], 'account')
  const locker = new pg.Client({ connectionString: s.database.url })
  locker.on('error', () => {})
  try {
    const token = await issueToken(s, 'Service')
    const me = () => fetch(`${s.baseUrl}/2.0/user`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal((await me()).status, 200)

    // Hold the server's queries on `users` checked out of its pool (a lock they wait for), then cut
    // their connections: exactly the state in which pg's Client used to emit an unhandled 'error'.
    await locker.connect()
    await locker.query('begin')
    await locker.query('lock table users in access exclusive mode')
    const inFlight = Promise.all(Array.from({ length: 3 }, () => me()))
    while ((await locker.query("select count(*)::int as n from pg_locks where not granted and relation = 'users'::regclass")).rows[0].n < 3) await sleep(20)
    s.proxy.cut()
    const answers = await inFlight
    await locker.query('rollback')
    for (const answer of answers) {
      assert.equal(answer.status, 503, 'a query whose connection was cut answers 503, not 500')
      assertRetryAfter(answer)
      assert.equal(((await answer.json()) as { error: { code: string } }).error.code, 'ERR_UNAVAILABLE')
    }
    assertAlive(s)

    // Requests keep flowing while connections are cut again and again: each answers 200 or 503, and the process lives.
    for (let round = 0; round < 10; round++) {
      const statuses = await Promise.all(
        Array.from({ length: 12 }, async (_, i) => {
          if (i === 6) s.proxy.cut()
          return (await (i % 2 ? me() : requestToken(s, 'Service'))).status
        }),
      )
      for (const status of statuses) assert.ok(status === 200 || status === 503, `got ${status} while connections were cut`)
    }
    assertAlive(s)
    assert.equal((await me()).status, 200, 'with the database reachable again, requests succeed on new connections')
  } finally {
    await locker.end().catch(() => {})
    await s.close()
  }
})

test('while PostgreSQL is away: requests needing it answer 503 with Retry-After, a token the gateway verified before keeps working, and the server recovers by itself', { skip }, async () => {
  const upstream: TestUpstream = await startUpstream()
  const s = await setUp(['Warm', 'Cold'], 'items:read', { GATEHOUSE_UPSTREAM: upstream.url, ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}) }).catch(async (error) => {
    await upstream.close()
    throw error
  })
  try {
    const token = await issueToken(s, 'Warm')
    const items = () => fetch(`${s.baseUrl}/2.0/items`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal((await items()).status, 200, 'the gateway has now verified and cached the token')
    assert.equal((await fetch(`${s.baseUrl}/readyz`)).status, 200)

    await s.proxy.stop()

    const proxied = await items()
    assert.equal(proxied.status, 200, 'the gate needs no database for a token it has verified')
    assert.equal(((await proxied.json()) as { user: string }).user !== undefined, true)

    // A kid this node has not seen sends it to the database for the keys: unavailable, not "invalid token".
    const [header, payload, signature] = token.split('.')
    const unknownKid = `${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(header, 'base64url').toString()), kid: 'a-key-made-elsewhere' })).toString('base64url')}.${payload}.${signature}`
    const unknownKey = await fetch(`${s.baseUrl}/2.0/items`, { headers: { authorization: `Bearer ${unknownKid}` } })
    assert.equal(unknownKey.status, 503, await unknownKey.clone().text())
    assertRetryAfter(unknownKey)

    const token503 = await requestToken(s, 'Cold')
    assert.equal(token503.status, 503)
    assertRetryAfter(token503)
    assert.equal(token503.headers.get('cache-control'), 'no-store')
    assert.equal(((await token503.json()) as { error: string }).error, 'temporarily_unavailable', 'RFC 6749 error value on the token endpoint')

    const page = await fetch(`${s.baseUrl}/oauth/authorize?response_type=code&client_id=${encodeURIComponent(s.apps.Cold.clientId)}&scope=items:read&state=x`)
    assert.equal(page.status, 503)
    assertRetryAfter(page)
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/)
    assert.match(await page.text(), /Temporarily unavailable/)

    const ready = await fetch(`${s.baseUrl}/readyz`)
    assert.equal(ready.status, 503)
    const readiness = (await ready.json()) as { status: string; checks: { database: string } }
    assert.equal(readiness.status, 'unavailable')
    assert.notEqual(readiness.checks.database, 'ok')
    assert.equal((await fetch(`${s.baseUrl}/healthz`)).status, 200, 'liveness does not depend on the database: restarting would not help')
    assertAlive(s)

    await s.proxy.start()
    let status = 0
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = (await requestToken(s, 'Cold')).status
      if (status !== 200) await sleep(200)
    }
    assert.equal(status, 200, 'the server reconnects on its own once the database is back')
    assert.equal((await fetch(`${s.baseUrl}/readyz`)).status, 200)
    assertAlive(s)
  } finally {
    await s.close()
    await upstream.close()
  }
})
