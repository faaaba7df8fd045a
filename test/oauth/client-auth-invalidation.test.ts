import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import type { FastifyInstance } from 'fastify'
import { disableApp, disableUser, rotateAppSecret } from '../../src/admin/accounts.service.js'
import { buildServer } from '../../src/server.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { adminDeps } from '../admin/fixtures.js'
import { addClient, addUser, asClient, basic, postForm, type TestClient } from './fixtures.js'

// Two servers on one database, as two nodes: a change made through one must stop the other's
// cached client authentication within a second, not after the cache's 5 s.
async function twoNodes(): Promise<{ first: TestApp; second: FastifyInstance; close(): Promise<void> }> {
  const first = await startTestApp({ revocationPollMs: 50 })
  const second = await buildServer(first.config)
  await second.ready()
  return { first, second, close: async () => { await second.close(); await first.close() } }
}

async function statusWithin(check: () => Promise<number>, expected: number, ms: number): Promise<number> {
  const deadline = Date.now() + ms
  let status = await check()
  while (status !== expected && Date.now() < deadline) {
    await sleep(20)
    status = await check()
  }
  return status
}

function clientCredentials(node: FastifyInstance, client: TestClient, secret = client.secret!) {
  return postForm(node, '/oauth/token', { grant_type: 'client_credentials' }, { authorization: basic(client.app.clientId, secret) })
}

test('an app disabled through one node stops authenticating on another within a second, although it was cached there', async () => {
  const nodes = await twoNodes()
  try {
    const client = await addClient(nodes.first.app, { ownerId: await addUser(nodes.first.app) })
    assert.equal((await clientCredentials(nodes.second, client)).statusCode, 200, 'authenticated, and now cached on the second node')
    await disableApp(adminDeps(nodes.first.app), client.app.clientId)
    const status = await statusWithin(async () => (await clientCredentials(nodes.second, client)).statusCode, 401, 1000)
    assert.equal(status, 401)
  } finally {
    await nodes.close()
  }
})

test('a secret rotated without grace stops working on another node within a second; the new one works there', async () => {
  const nodes = await twoNodes()
  try {
    const client = await addClient(nodes.first.app, { ownerId: await addUser(nodes.first.app) })
    assert.equal((await clientCredentials(nodes.second, client)).statusCode, 200)
    const { clientSecret } = await rotateAppSecret(adminDeps(nodes.first.app), client.app.clientId, 0, nodes.first.app.secrets)
    assert.equal(await statusWithin(async () => (await clientCredentials(nodes.second, client)).statusCode, 401, 1000), 401)
    assert.equal((await clientCredentials(nodes.second, client, clientSecret)).statusCode, 200)
  } finally {
    await nodes.close()
  }
})

test("an owner disabled through one node stops the app's client credentials on another within a second", async () => {
  const nodes = await twoNodes()
  try {
    await addUser(nodes.first.app)
    const ownerId = (await nodes.first.app.db.selectFrom('users').select('id').where('username', '=', 'ada').executeTakeFirstOrThrow()).id
    const client = await addClient(nodes.first.app, { ownerId })
    assert.equal((await clientCredentials(nodes.second, client)).statusCode, 200)
    await disableUser(adminDeps(nodes.first.app), 'ada')
    assert.equal(await statusWithin(async () => (await clientCredentials(nodes.second, client)).statusCode, 400, 1000), 400)
    assert.equal((await clientCredentials(nodes.second, client)).json().error, 'unauthorized_client')
  } finally {
    await nodes.close()
  }
})

test('without a change, a successful authentication is still served from the cache', async () => {
  const t = await startTestApp()
  try {
    const client = await addClient(t.app, { ownerId: await addUser(t.app) })
    assert.equal((await asClient(t.app, client, '/oauth/introspect', { token: 'x' })).statusCode, 200)
    // Gone from the database behind the cache's back: still accepted until the cache entry ends.
    await t.app.db.updateTable('apps').set({ disabled_at: t.app.clock.now() }).where('id', '=', client.app.id).execute()
    assert.equal((await asClient(t.app, client, '/oauth/introspect', { token: 'x' })).statusCode, 200)
  } finally {
    await t.close()
  }
})
