import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestApp } from '../support/app.js'
import { basic, postForm } from './fixtures.js'

test('credential guessing: the token endpoint is rate limited per client address, answering in OAuth form', async () => {
  const t = await startTestApp({ rateLimitPerMinute: 3 })
  try {
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) {
      const response = await postForm(t.app, '/oauth/token', { grant_type: 'client_credentials' }, { authorization: basic('guess', `secret-${i}`) })
      statuses.push(response.statusCode)
      if (response.statusCode === 429) assert.equal(typeof response.json().error, 'string')
    }
    assert.deepEqual(statuses, [401, 401, 401, 429])
  } finally {
    await t.close()
  }
})
