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

test('a NUL character in input is a 400 on every database, never a 500', async () => {
  const t = await startTestApp()
  try {
    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const token = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: form, payload: 'grant_type=client_credentials&client_id=a%00b&client_secret=x' })
    assert.ok([400, 401].includes(token.statusCode), `token endpoint answered ${token.statusCode}`)
    assert.ok(['invalid_request', 'invalid_client'].includes(token.json().error))
    const authorize = await t.app.inject({ method: 'GET', url: '/oauth/authorize?client_id=%00&response_type=code' })
    assert.equal(authorize.statusCode, 400)
    const basic = await t.app.inject({
      method: 'POST', url: '/oauth/introspect', headers: { ...form, authorization: `Basic ${Buffer.from('a\u0000:b').toString('base64')}` }, payload: 'token=x',
    })
    assert.ok([400, 401].includes(basic.statusCode), `introspection answered ${basic.statusCode}`)
  } finally {
    await t.close()
  }
})
