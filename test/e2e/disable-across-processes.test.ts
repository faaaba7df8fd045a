import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '../support/app.js'
import { createTestDatabase, usingPostgres, type TestDatabase } from '../support/database.js'
import { runCli, startServerProcess, type ServerProcess } from '../support/processes.js'

// Two `gatehouse serve` processes on one database (with Redis on the PostgreSQL run), and the CLI as
// a third process: disabling an account or an app there reaches both servers within a second.
let database: TestDatabase
let servers: ServerProcess[] = []
let urls: string[] = []
let shared: Record<string, string>

before(async () => {
  database = await createTestDatabase()
  shared = {
    ...database.env,
    GATEHOUSE_ISSUER: 'http://gatehouse.test',
    GATEHOUSE_SEED_DEMO: 'false',
    GATEHOUSE_RATE_LIMIT: '0',
    ...(usingPostgres() && process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  }
  const ports = [await freePort(), await freePort()]
  // Migrate once before both servers start, so they do not race to.
  assert.equal((await runCli(['migrate'], shared)).code, 0)
  servers = await Promise.all(ports.map((port) => startServerProcess({ ...shared, PORT: String(port) })))
  urls = ports.map((port) => `http://127.0.0.1:${port}`)
})

after(async () => {
  await Promise.all(servers.map((s) => s.stop()))
  await database?.drop()
})

async function cli(args: string[], stdin?: string) {
  const result = await runCli([...args, '--json'], shared, stdin)
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stdout}${result.stderr}`)
  return JSON.parse(result.stdout)
}

async function serviceApp(owner: string): Promise<string> {
  await cli(['user', 'add', owner, '--password-stdin'], 'correct horse battery')
  const { client_id, client_secret } = await cli(['app', 'create', '--name', `Service of ${owner}`, '--grant', 'client_credentials', '--scope', 'account', '--owner', owner])
  return `Basic ${Buffer.from(`${encodeURIComponent(client_id)}:${encodeURIComponent(client_secret)}`).toString('base64')}` + `\n${client_id}`
}

function splitCredentials(value: string): { authorization: string; clientId: string } {
  const [authorization, clientId] = value.split('\n')
  return { authorization, clientId }
}

function tokenRequest(url: string, authorization: string): Promise<Response> {
  return fetch(`${url}/oauth/token`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  })
}

async function issue(url: string, authorization: string): Promise<string> {
  const response = await tokenRequest(url, authorization)
  assert.equal(response.status, 200, await response.clone().text())
  return ((await response.json()) as { access_token: string }).access_token
}

async function apiStatus(url: string, token: string): Promise<number> {
  return (await fetch(`${url}/2.0/user`, { headers: { authorization: `Bearer ${token}` } })).status
}

/** Polls `check` until it gives `expected` or `ms` pass, and returns the last answer. */
async function within<T>(ms: number, expected: T, check: () => Promise<T>): Promise<T> {
  const start = Date.now()
  let value = await check()
  while (value !== expected && Date.now() - start < ms) {
    await sleep(25)
    value = await check()
  }
  return value
}

test('user disable on the command line revokes the live tokens on every server within a second; enable brings none back', async () => {
  const { authorization } = splitCredentials(await serviceApp('owner'))
  const tokens = [await issue(urls[0], authorization), await issue(urls[1], authorization)]
  for (const url of urls) for (const token of tokens) assert.equal(await apiStatus(url, token), 200, 'cached as valid on both servers')

  const disabled = await cli(['user', 'disable', 'owner'])
  assert.equal(disabled.disabled, true)
  for (const url of urls) {
    for (const token of tokens) assert.equal(await within(1000, 401, () => apiStatus(url, token)), 401, `${url} still accepted a token of the disabled user`)
    assert.equal(await within(1000, 400, async () => (await tokenRequest(url, authorization)).status), 400, `${url} still issued tokens for the disabled owner`)
  }

  await cli(['user', 'enable', 'owner'])
  for (const url of urls) {
    const fresh = await within(1000, 200, async () => (await tokenRequest(url, authorization)).status)
    assert.equal(fresh, 200)
    for (const token of tokens) assert.equal(await apiStatus(url, token), 401, 'an old token came back')
  }
  const token = await issue(urls[1], authorization)
  for (const url of urls) assert.equal(await within(1000, 200, () => apiStatus(url, token)), 200)
})

test('app disable on the command line stops its tokens and its authentication on every server within a second', async () => {
  const { authorization, clientId } = splitCredentials(await serviceApp('another'))
  const token = await issue(urls[0], authorization)
  // Both servers have authenticated the app (cached for 5 s) and verified the token.
  for (const url of urls) {
    assert.equal((await tokenRequest(url, authorization)).status, 200)
    assert.equal(await apiStatus(url, token), 200)
  }
  await cli(['app', 'disable', clientId])
  for (const url of urls) {
    assert.equal(await within(1000, 401, () => apiStatus(url, token)), 401)
    assert.equal(await within(1000, 401, async () => (await tokenRequest(url, authorization)).status), 401, `${url} still authenticated the disabled app`)
  }
})
