import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestApp } from '../support/app.js'
import { addClient, addUser, basic, postForm } from './fixtures.js'

const endpoints = ['/oauth/token', '/oauth/introspect', '/oauth/revoke']

test('malformed requests to the token, introspection and revocation endpoints are 4xx OAuth errors, never 500', async () => {
  const t = await startTestApp()
  try {
    const client = await addClient(t.app, { ownerId: await addUser(t.app) })
    const auth = { authorization: basic(client.app.clientId, client.secret!) }
    for (const url of endpoints) {
      const cases = [
        { name: 'empty body', request: { headers: { ...auth } } },
        { name: 'empty form', request: { headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: '' } },
        { name: 'JSON body', request: { headers: { ...auth, 'content-type': 'application/json' }, payload: '{"grant_type":"client_credentials","token":"x"}' } },
        { name: 'broken JSON', request: { headers: { ...auth, 'content-type': 'application/json' }, payload: '{' } },
        { name: 'text body', request: { headers: { ...auth, 'content-type': 'text/plain' }, payload: 'grant_type=client_credentials' } },
        { name: 'huge value', request: { headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=client_credentials&token=${'a'.repeat(100_000)}&scope=${'b'.repeat(100_000)}` } },
        { name: 'over the body limit', request: { headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: `token=${'a'.repeat(300 * 1024)}` } },
      ]
      for (const { name, request } of cases) {
        const response = await t.app.inject({ method: 'POST', url, ...request })
        assert.ok(response.statusCode >= 400 && response.statusCode < 500, `${url} ${name}: ${response.statusCode} ${response.body}`)
        assert.equal(typeof response.json().error, 'string', `${url} ${name}`)
        assert.equal(typeof response.json().error_description, 'string', `${url} ${name}`)
      }
      // The form parser keeps undecodable escapes as they are; what matters is a normal answer.
      const garbage = await t.app.inject({ method: 'POST', url, headers: { ...auth, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'grant_type=%ZZ&token=%E0%A4%A' })
      assert.ok(garbage.statusCode < 500, `${url} percent garbage: ${garbage.statusCode}`)
    }
  } finally {
    await t.close()
  }
})

test('a repeated parameter is invalid_request (RFC 6749 §3.1)', async () => {
  const t = await startTestApp()
  try {
    const client = await addClient(t.app, { ownerId: await addUser(t.app) })
    const auth = { authorization: basic(client.app.clientId, client.secret!) }
    const token = await postForm(t.app, '/oauth/token', { grant_type: ['client_credentials', 'password'] }, auth)
    assert.equal(token.statusCode, 400)
    assert.equal(token.json().error, 'invalid_request')
    const scope = await postForm(t.app, '/oauth/token', { grant_type: 'client_credentials', scope: ['account', 'issue'] }, auth)
    assert.equal(scope.json().error, 'invalid_request')
    for (const url of ['/oauth/introspect', '/oauth/revoke']) {
      const response = await postForm(t.app, url, { token: ['a', 'b'] }, auth)
      assert.equal(response.statusCode, 400, url)
      assert.equal(response.json().error, 'invalid_request', url)
    }
    const ids = await postForm(t.app, '/oauth/token', { grant_type: 'client_credentials', client_id: [client.app.clientId, client.app.clientId], client_secret: client.secret! })
    assert.equal(ids.json().error, 'invalid_request')
  } finally {
    await t.close()
  }
})

test('a missing grant_type is invalid_request and errors are never cached', async () => {
  const t = await startTestApp()
  try {
    const client = await addClient(t.app, { ownerId: await addUser(t.app) })
    const response = await postForm(t.app, '/oauth/token', {}, { authorization: basic(client.app.clientId, client.secret!) })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json().error, 'invalid_request')
    assert.equal(response.headers['cache-control'], 'no-store')
  } finally {
    await t.close()
  }
})
