import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestApp } from '../support/app.js'
import { TestClock } from '../oauth/fixtures.js'
import { makeCaller } from '../platform/fixtures.js'

const FORGED = 'Bearer eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'

test('a throttled address: invalid bearer tokens from one address lock it out of the API with 429 and Retry-After; others go on', async () => {
  const clock = new TestClock()
  const t = await startTestApp({ throttle: true, invalidTokensPerMinute: 5, failureLockSeconds: 30 }, { clock })
  try {
    const ada = await makeCaller(t.app, 'ada')
    const get = (headers: Record<string, string>, remoteAddress = '203.0.113.9') => t.app.inject({ url: '/2.0/user', headers, remoteAddress })

    for (let i = 0; i < 3; i++) assert.equal((await get({})).statusCode, 401, 'a missing token is not a guess')
    const refusals = []
    for (let i = 0; i < 5; i++) refusals.push(await get({ authorization: FORGED }))
    assert.deepEqual(refusals.map((r) => r.statusCode), [401, 401, 401, 401, 401])
    assert.match(refusals[0].headers['www-authenticate'] as string, /error="invalid_token"/)

    const locked = await get(await ada.auth('account'))
    assert.equal(locked.statusCode, 429, 'even a valid token is refused from the locked address')
    assert.equal(locked.headers['retry-after'], '30')
    assert.equal(locked.headers['cache-control'], 'no-store')
    assert.deepEqual(locked.json(), {
      error: { code: 'ERR_TOO_MANY_ATTEMPTS', message: 'Too many requests with invalid access tokens from this address; try again in 30 seconds' },
    })
    assert.equal((await get(await ada.auth('account'), '198.51.100.7')).statusCode, 200, 'another address is not affected')
    assert.equal((await t.app.inject({ method: 'POST', url: '/oauth/token', remoteAddress: '203.0.113.9', payload: 'grant_type=client_credentials', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode, 401,
      'the lock covers the API only')

    clock.advance(30)
    assert.equal((await get(await ada.auth('account'))).statusCode, 200)
    assert.equal((await get({ authorization: FORGED })).statusCode, 401)
    assert.equal((await get(await ada.auth('account'))).headers['retry-after'], '60', 'the next invalid token after a lock locks twice as long')
  } finally {
    await t.close()
  }
})

test('invalid tokens are counted per minute: a slow trickle, as from a busy network, never locks', async () => {
  const clock = new TestClock()
  const t = await startTestApp({ throttle: true, invalidTokensPerMinute: 3 }, { clock })
  try {
    for (let minute = 0; minute < 5; minute++) {
      for (let i = 0; i < 2; i++) assert.equal((await t.app.inject({ url: '/2.0/user', headers: { authorization: FORGED } })).statusCode, 401)
      clock.advance(60)
    }
  } finally {
    await t.close()
  }
})
