import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestApp } from '../support/app.js'

test('dynamic registration keeps a plain request cap per client address (GATEHOUSE_RATE_LIMIT), answering in OAuth form', async () => {
  const t = await startTestApp({ rateLimitPerMinute: 3 })
  try {
    const register = () => t.app.inject({ method: 'POST', url: '/oauth/register', payload: { redirect_uris: ['https://client.example/callback'] } })
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await register()).statusCode)
    assert.deepEqual(statuses, [401, 401, 401, 429])
    const limited = await register()
    assert.equal(limited.json().error, 'invalid_request')
    assert.ok(Number(limited.headers['retry-after']) > 0)
  } finally {
    await t.close()
  }
})

test('the token endpoint has no plain request cap: GATEHOUSE_RATE_LIMIT does not apply to it', async () => {
  const t = await startTestApp({ rateLimitPerMinute: 3 })
  try {
    const statuses = new Set<number>()
    for (let i = 0; i < 6; i++) {
      const response = await t.app.inject({ method: 'POST', url: '/oauth/token', payload: 'grant_type=client_credentials&client_id=nobody', headers: { 'content-type': 'application/x-www-form-urlencoded' } })
      statuses.add(response.statusCode)
    }
    assert.deepEqual([...statuses], [401], 'failures are for the failure throttle, which this test app turns off')
  } finally {
    await t.close()
  }
})
