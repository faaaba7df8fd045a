import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestApp } from './support/app.js'

const TOKEN = 'metrics-token-for-the-test-0123456789'

test('/metrics on a loopback listener without a token is open, as before', async () => {
  const t = await startTestApp({ host: '127.0.0.1' })
  try {
    const response = await t.app.inject({ url: '/metrics' })
    assert.equal(response.statusCode, 200)
    assert.match(response.body, /gatehouse_gateway_decisions_total/)
  } finally {
    await t.close()
  }
})

test('/metrics on a listener beyond loopback without GATEHOUSE_METRICS_TOKEN answers 403 saying to set it', async () => {
  const t = await startTestApp({ host: '0.0.0.0' })
  try {
    const response = await t.app.inject({ url: '/metrics' })
    assert.equal(response.statusCode, 403)
    assert.match(response.json().error.message, /set GATEHOUSE_METRICS_TOKEN/)
    assert.doesNotMatch(response.body, /gatehouse_/)
  } finally {
    await t.close()
  }
})

test('/metrics with GATEHOUSE_METRICS_TOKEN needs that bearer token, beyond loopback and on it', async () => {
  for (const host of ['0.0.0.0', '127.0.0.1']) {
    const t = await startTestApp({ host, metricsToken: TOKEN })
    try {
      const missing = await t.app.inject({ url: '/metrics' })
      assert.equal(missing.statusCode, 401)
      assert.match(String(missing.headers['www-authenticate']), /^Bearer/)
      for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${TOKEN}`, 'Bearer']) {
        const wrong = await t.app.inject({ url: '/metrics', headers: { authorization } })
        assert.equal(wrong.statusCode, 401, `${host}: ${authorization}`)
        assert.doesNotMatch(wrong.body, /gatehouse_/)
      }
      for (const authorization of [`Bearer ${TOKEN}`, `bearer ${TOKEN}`]) {
        const right = await t.app.inject({ url: '/metrics', headers: { authorization } })
        assert.equal(right.statusCode, 200, `${host}: ${authorization}`)
        assert.match(right.body, /gatehouse_tokens_issued_total/)
      }
    } finally {
      await t.close()
    }
  }
})
