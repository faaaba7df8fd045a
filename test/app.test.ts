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
