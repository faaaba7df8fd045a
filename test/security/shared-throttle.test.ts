import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildServer } from '../../src/server.js'
import { testConfig, type Config } from '../../src/config.js'
import { createTestDatabase } from '../support/database.js'
import { addClient, addUser, basic } from '../oauth/fixtures.js'
import { csrfFor, form } from '../web/fixtures.js'

const REDIS_URL = process.env.REDIS_URL

/** Two nodes of one deployment (one database, one issuer, one Redis), as two app instances in this process. */
async function twoNodes(overrides: Partial<Config>) {
  const database = await createTestDatabase()
  // A fresh issuer keeps this run's counts apart from every other test sharing the Redis.
  const config = testConfig({ databaseUrl: database.url, kek: database.kek, redisUrl: REDIS_URL, issuer: `http://nodes-${randomUUID()}.test`, rateLimitPerMinute: 0, throttle: true, ...overrides })
  const a = await buildServer(config)
  await a.ready()
  const b = await buildServer(config)
  await b.ready()
  return {
    a,
    b,
    close: async () => {
      await Promise.all([a.close(), b.close()])
      await database.drop()
    },
  }
}

test('the Redis store shares sign-in failures between two app instances: failures on either lock the account on both', async (t) => {
  if (!REDIS_URL) return t.skip('needs REDIS_URL')
  const nodes = await twoNodes({ signInFailuresPerAccount: 3, signInFailuresPerAddress: 100, failureLockSeconds: 60 })
  try {
    await addUser(nodes.a)
    const { jar, token } = await csrfFor(nodes.a)
    const signIn = (node: FastifyInstance, password: string) =>
      node.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password, csrf_token: token }) }).then((r) => r.statusCode)
    assert.deepEqual([await signIn(nodes.a, 'wrong'), await signIn(nodes.b, 'wrong'), await signIn(nodes.a, 'wrong')], [401, 401, 401])
    assert.equal(await signIn(nodes.b, 'correct horse battery'), 429, 'node b refuses: the third failure, counted on node a, locked the account')
    assert.equal(await signIn(nodes.a, 'correct horse battery'), 429)
  } finally {
    await nodes.close()
  }
})

test('the Redis store shares client-authentication failures: the count is one, and each node locks on its next failure', async (t) => {
  if (!REDIS_URL) return t.skip('needs REDIS_URL')
  const nodes = await twoNodes({ clientAuthFailuresPerAddress: 3, failureLockSeconds: 30 })
  try {
    const client = await addClient(nodes.a, { ownerId: await addUser(nodes.a) })
    const token = (node: FastifyInstance, secret: string) =>
      node.inject({ method: 'POST', url: '/oauth/token', payload: 'grant_type=client_credentials', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(client.app.clientId, secret) } })
    assert.deepEqual([(await token(nodes.a, 'wrong')).statusCode, (await token(nodes.a, 'wrong')).statusCode, (await token(nodes.b, 'wrong')).statusCode], [401, 401, 401])
    const onB = await token(nodes.b, client.secret!)
    assert.equal(onB.statusCode, 429, "node b's failure was the third of the shared count")
    assert.equal(onB.headers['retry-after'], '30')
    assert.equal((await token(nodes.a, client.secret!)).statusCode, 200, 'node a has not met a failure since, and its check is local (no Redis on the hot path)')
    assert.equal((await token(nodes.a, 'wrong')).statusCode, 401)
    const onA = await token(nodes.a, client.secret!)
    assert.equal(onA.statusCode, 429)
    assert.equal(onA.headers['retry-after'], '60', 'the fourth failure of the shared count locks twice as long')
  } finally {
    await nodes.close()
  }
})
