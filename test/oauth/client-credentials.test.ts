import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestApp } from '../support/app.js'
import { addClient, addUser, asClient } from './fixtures.js'

test('client_credentials issues a token acting as the app owner, with all app scopes by default and no refresh token', async () => {
  const t = await startTestApp()
  try {
    const ownerId = await addUser(t.app)
    const client = await addClient(t.app, { ownerId })
    const response = await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })
    assert.equal(response.statusCode, 200)
    const body = response.json()
    assert.equal(body.scope, 'account issue repository')
    assert.equal(body.refresh_token, undefined)
    const claims = await t.app.accessTokens.verify(body.access_token)
    assert.equal(claims.sub, ownerId)
    assert.equal(claims.client_id, client.app.clientId)
    assert.equal(claims.gid, undefined)
  } finally {
    await t.close()
  }
})

test('client_credentials honours a narrower scope and refuses one outside the app', async () => {
  const t = await startTestApp()
  try {
    const client = await addClient(t.app, { ownerId: await addUser(t.app) })
    const narrow = await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials', scope: 'issue account' })
    assert.equal(narrow.json().scope, 'account issue')
    const wide = await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials', scope: 'issue:write' })
    assert.equal(wide.statusCode, 400)
    assert.equal(wide.json().error, 'invalid_scope')
    const malformed = await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials', scope: 'a"b' })
    assert.equal(malformed.json().error, 'invalid_scope')
  } finally {
    await t.close()
  }
})

test('client_credentials for an app without an owner is unauthorized_client with a clear description', async () => {
  const t = await startTestApp()
  try {
    const client = await addClient(t.app)
    const response = await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json().error, 'unauthorized_client')
    assert.match(response.json().error_description, /no owner/)
  } finally {
    await t.close()
  }
})

test('a grant type the app was not given is unauthorized_client; an unknown one is unsupported_grant_type', async () => {
  const t = await startTestApp({ allowPasswordGrant: true })
  try {
    const client = await addClient(t.app, { ownerId: await addUser(t.app), grantTypes: ['authorization_code'] })
    const notAllowed = await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })
    assert.equal(notAllowed.json().error, 'unauthorized_client')
    const password = await asClient(t.app, client, '/oauth/token', { grant_type: 'password', username: 'ada', password: 'x' })
    assert.equal(password.json().error, 'unauthorized_client')
    const unknown = await asClient(t.app, client, '/oauth/token', { grant_type: 'urn:ietf:params:oauth:grant-type:device_code' })
    assert.equal(unknown.statusCode, 400)
    assert.equal(unknown.json().error, 'unsupported_grant_type')
    const prototype = await asClient(t.app, client, '/oauth/token', { grant_type: '__proto__' })
    assert.equal(prototype.json().error, 'unsupported_grant_type')
  } finally {
    await t.close()
  }
})

test('issued tokens are counted by grant type', async () => {
  const t = await startTestApp()
  try {
    const client = await addClient(t.app, { ownerId: await addUser(t.app) })
    await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics' })
    assert.match(metrics.body, /gatehouse_tokens_issued_total\{grant_type="client_credentials"\} 1/)
  } finally {
    await t.close()
  }
})

test('client_credentials for an app whose owner is disabled is refused: the token would act for a disabled account', async () => {
  let now = Date.now()
  const t = await startTestApp({}, { clock: { now: () => now } })
  try {
    const ownerId = await addUser(t.app)
    const client = await addClient(t.app, { ownerId })
    assert.equal((await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })).statusCode, 200)
    await t.app.db.updateTable('users').set({ disabled_at: now }).where('id', '=', ownerId).execute()
    now += 6000 // past the client-authentication cache
    const response = await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json().error, 'unauthorized_client')
    assert.match(response.json().error_description, /disabled/)
  } finally {
    await t.close()
  }
})
