import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestApp } from './support/app.js'

test('the app boots on a fresh database, creating a signing key', async () => {
  const t = await startTestApp()
  try {
    assert.equal(t.app.signingKeys.jwks().keys.length, 1)
    const token = await t.app.accessTokens.issue({ subject: 'u1', clientId: 'c1', scope: 'account' })
    const claims = await t.app.accessTokens.verify(token.token)
    assert.equal(claims.sub, 'u1')
    const missing = await t.app.inject({ method: 'GET', url: '/no/such/route' })
    assert.equal(missing.statusCode, 404)
    assert.equal(missing.json().error.code, 'ERR_NOT_FOUND')
  } finally {
    await t.close()
  }
})

test('a malformed URL gets a 400 in the API error shape, not a framework error', async () => {
  const t = await startTestApp()
  try {
    const response = await t.app.inject({ method: 'GET', url: '/2.0/repositories/%E0%A4%A' })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json().error.code, 'FST_ERR_BAD_URL')
    assert.match(response.json().error.message, /not a valid url/)
  } finally {
    await t.close()
  }
})
