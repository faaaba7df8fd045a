import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { loadConfig, type Config } from '../../src/config.js'
import { startTestApp } from '../support/app.js'
import { addClient, addUser, basic, PASSWORD, TestClock, type TestClient } from './fixtures.js'

/** The shipped limits (not the test default of everything off). */
const SHIPPED = (({ rateLimitPerMinute, throttle, clientAuthFailuresPerAddress, signInFailuresPerAccount, signInFailuresPerAddress, failureLockSeconds }: Config) =>
  ({ rateLimitPerMinute, throttle, clientAuthFailuresPerAddress, signInFailuresPerAccount, signInFailuresPerAddress, failureLockSeconds }))(loadConfig({}))

function post(app: FastifyInstance, url: string, params: Record<string, string>, authorization?: string, remoteAddress = '127.0.0.1'): Promise<LightMyRequestResponse> {
  return app.inject({
    method: 'POST',
    url,
    remoteAddress,
    payload: new URLSearchParams(params).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
  })
}

const asApp = (client: TestClient) => basic(client.app.clientId, client.secret!)

test('1000 successful client-credentials requests from one address within a minute are not limited (shipped settings)', async () => {
  assert.equal(SHIPPED.throttle, true)
  assert.ok(SHIPPED.rateLimitPerMinute > 0 && SHIPPED.rateLimitPerMinute < 1000, 'the plain request cap is on, and below 1000')
  const clock = new TestClock()
  const t = await startTestApp(SHIPPED, { clock })
  try {
    const client = await addClient(t.app, { ownerId: await addUser(t.app) })
    const counts = new Map<number, number>()
    for (let batch = 0; batch < 20; batch++) {
      const responses = await Promise.all(Array.from({ length: 50 }, () => post(t.app, '/oauth/token', { grant_type: 'client_credentials', scope: 'account' }, asApp(client))))
      for (const response of responses) counts.set(response.statusCode, (counts.get(response.statusCode) ?? 0) + 1)
    }
    assert.deepEqual([...counts], [[200, 1000]])
    assert.equal(clock.now(), new TestClock().now(), 'all within the same instant, so well within a minute')
  } finally {
    await t.close()
  }
})

test('failed client authentications from one address are throttled on the token, introspection and revocation endpoints: 429, Retry-After, OAuth JSON', async () => {
  const clock = new TestClock()
  const t = await startTestApp({ ...SHIPPED, clientAuthFailuresPerAddress: 3, failureLockSeconds: 30 }, { clock })
  try {
    const client = await addClient(t.app, { ownerId: await addUser(t.app) })
    const wrong = basic(client.app.clientId, 'not-the-secret')
    const failures = [
      await post(t.app, '/oauth/token', { grant_type: 'client_credentials' }, wrong),
      await post(t.app, '/oauth/introspect', { token: 'x' }, wrong),
      await post(t.app, '/oauth/revoke', { token: 'x' }, wrong),
    ]
    assert.deepEqual(failures.map((r) => [r.statusCode, r.json().error]), [[401, 'invalid_client'], [401, 'invalid_client'], [401, 'invalid_client']])

    for (const [url, params] of [['/oauth/token', { grant_type: 'client_credentials' }], ['/oauth/introspect', { token: 'x' }], ['/oauth/revoke', { token: 'x' }]] as const) {
      const refused = await post(t.app, url, params, asApp(client))
      assert.equal(refused.statusCode, 429, `${url} refuses even the right secret from this address`)
      assert.equal(refused.headers['retry-after'], '30')
      assert.equal(refused.headers['cache-control'], 'no-store')
      assert.deepEqual(refused.json(), {
        error: 'temporarily_unavailable',
        error_description: 'Too many failed client authentications from this address; try again in 30 seconds',
      })
    }
    assert.equal((await post(t.app, '/oauth/token', { grant_type: 'client_credentials' }, asApp(client), '198.51.100.7')).statusCode, 200, 'another address is not affected')
    assert.equal((await t.app.inject({ url: '/.well-known/oauth-authorization-server' })).statusCode, 200, 'endpoints without client authentication are not affected')

    clock.advance(30)
    assert.equal((await post(t.app, '/oauth/token', { grant_type: 'client_credentials' }, asApp(client))).statusCode, 200)
  } finally {
    await t.close()
  }
})

test('the password grant counts as a sign-in: wrong passwords lock the username, answered as OAuth JSON', async () => {
  const clock = new TestClock()
  const t = await startTestApp({ ...SHIPPED, allowPasswordGrant: true, signInFailuresPerAccount: 2, failureLockSeconds: 60 }, { clock })
  try {
    await addUser(t.app)
    const client = await addClient(t.app, { grantTypes: ['password'], redirectUris: [] })
    const grant = (username: string, password: string) => post(t.app, '/oauth/token', { grant_type: 'password', username, password }, asApp(client))
    assert.deepEqual([(await grant('ada', 'wrong')).json().error, (await grant('ada', 'wrong')).json().error], ['invalid_grant', 'invalid_grant'])
    const locked = await grant('ada', PASSWORD)
    assert.equal(locked.statusCode, 429)
    assert.equal(locked.headers['retry-after'], '60')
    assert.equal(locked.json().error, 'temporarily_unavailable')
    assert.match(locked.json().error_description, /^Too many failed sign-ins for this username\. Try again in 1 minute/)
    assert.equal((await grant('bob', 'wrong')).json().error, 'invalid_grant', 'other usernames are not locked')
    clock.advance(60)
    assert.equal((await grant('ada', PASSWORD)).statusCode, 200)
  } finally {
    await t.close()
  }
})

test('a password flood through the password grant answers 503 temporarily_unavailable with Retry-After beyond the hashing limit', async () => {
  const t = await startTestApp({ allowPasswordGrant: true, passwordHashConcurrency: 1, passwordHashQueue: 1 })
  try {
    await addUser(t.app)
    const client = await addClient(t.app, { grantTypes: ['password'], redirectUris: [] })
    const flood = await Promise.all(Array.from({ length: 30 }, () => post(t.app, '/oauth/token', { grant_type: 'password', username: 'ada', password: 'wrong' }, asApp(client))))
    const refused = flood.filter((response) => response.statusCode === 503)
    assert.ok(refused.length >= 1)
    assert.equal(flood.filter((response) => response.statusCode === 400).length + refused.length, 30)
    assert.equal(refused[0].headers['retry-after'], '2')
    assert.deepEqual(refused[0].json(), { error: 'temporarily_unavailable', error_description: 'Too many sign-ins are being checked right now; try again in a few seconds' })
  } finally {
    await t.close()
  }
})
