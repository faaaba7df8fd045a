import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '../support/app.js'
import { createTestDatabase, usingPostgres, type TestDatabase } from '../support/database.js'
import { runCli, startServerProcess, type ServerProcess } from '../support/processes.js'

// Two `gatehouse serve` processes on one database behave as one server. On PostgreSQL the run
// also uses Redis (as a deployment of several nodes would); on SQLite the processes share the file.
let database: TestDatabase
let first: ServerProcess
let second: ServerProcess
let firstUrl: string
let secondUrl: string
let credentials: string

before(async () => {
  database = await createTestDatabase()
  const [portA, portB] = [await freePort(), await freePort()]
  const shared = {
    ...database.env,
    GATEHOUSE_ISSUER: 'http://gatehouse.test',
    GATEHOUSE_SEED_DEMO: 'false',
    GATEHOUSE_RATE_LIMIT: '0',
    ...(usingPostgres() && process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
  }
  const owner = await runCli(['user', 'add', 'owner', '--password-stdin', '--json'], shared, 'correct horse battery')
  assert.equal(owner.code, 0, owner.stderr)
  await runCli(['workspace', 'add', 'acme', '--owner', 'owner', '--json'], shared)
  const created = await runCli(['app', 'create', '--name', 'Service', '--grant', 'client_credentials', '--scope', 'account', '--owner', 'owner', '--json'], shared)
  assert.equal(created.code, 0, created.stderr)
  const { client_id, client_secret } = JSON.parse(created.stdout)
  credentials = Buffer.from(`${encodeURIComponent(client_id)}:${encodeURIComponent(client_secret)}`).toString('base64')
  ;[first, second] = await Promise.all([
    startServerProcess({ ...shared, PORT: String(portA) }),
    startServerProcess({ ...shared, PORT: String(portB) }),
  ])
  firstUrl = `http://127.0.0.1:${portA}`
  secondUrl = `http://127.0.0.1:${portB}`
})

after(async () => {
  await Promise.all([first?.stop(), second?.stop()])
  await database?.drop()
})

async function issueToken(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&scope=account',
  })
  assert.equal(response.status, 200, await response.clone().text())
  return ((await response.json()) as { access_token: string }).access_token
}

function callApi(baseUrl: string, token: string): Promise<Response> {
  return fetch(`${baseUrl}/2.0/user`, { headers: { authorization: `Bearer ${token}` } })
}

test('a token issued by one process is accepted by the other', async () => {
  const token = await issueToken(firstUrl)
  const response = await callApi(secondUrl, token)
  assert.equal(response.status, 200)
  assert.equal(((await response.json()) as { username: string }).username, 'owner')
})

test('a revocation on one process is honoured by the other within one second', async () => {
  const token = await issueToken(firstUrl)
  assert.equal((await callApi(secondUrl, token)).status, 200, 'the other process has the token cached as valid')
  const revoked = await fetch(`${firstUrl}/oauth/revoke`, {
    method: 'POST',
    headers: { authorization: `Basic ${credentials}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
  })
  assert.equal(revoked.status, 200)
  const revokedAt = Date.now()
  let status = 200
  while (Date.now() - revokedAt < 1000) {
    status = (await callApi(secondUrl, token)).status
    if (status === 401) break
    await sleep(25)
  }
  assert.equal(status, 401, 'the second process still accepted the token one second after revocation')
})
