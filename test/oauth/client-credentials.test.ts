import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestApp } from '../support/app.js'
import { rotateAppSecret } from '../../src/admin/accounts.service.js'
import { addClient, addUser, asClient, basic, claimsOf, isTokenRevoked, postForm } from './fixtures.js'

test('client_credentials issues a token acting as the app owner, under the app\'s client-credentials grant, with all app scopes by default and no refresh token', async () => {
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
    const grant = await t.app.db.selectFrom('grants').selectAll().where('id', '=', claims.gid!).executeTakeFirstOrThrow()
    assert.equal(grant.kind, 'client_credentials')
    assert.equal(grant.app_id, client.app.id)
    assert.equal(grant.user_id, ownerId)
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

test('client_credentials for an app left without an owner (its owner deleted) is unauthorized_client with a clear description', async () => {
  const t = await startTestApp()
  try {
    const client = await addClient(t.app, { ownerId: await addUser(t.app), grantTypes: ['client_credentials'], redirectUris: [] })
    // What `user delete` leaves behind: the app stays, without an owner.
    await t.app.db.updateTable('apps').set({ owner_id: null }).where('id', '=', client.app.id).execute()
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

test('every client-credentials token of an app shares one grant: issuance adds no row per token', async () => {
  const t = await startTestApp()
  try {
    const client = await addClient(t.app, { ownerId: await addUser(t.app) })
    const tokens = await Promise.all(Array.from({ length: 5 }, () => asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })))
    for (let i = 0; i < 5; i++) tokens.push(await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' }))
    const grantIds = new Set(tokens.map((r) => claimsOf(r.json().access_token).gid))
    assert.equal(grantIds.size, 1)
    const rows = await t.app.db.selectFrom('grants').select('id').where('app_id', '=', client.app.id).execute()
    assert.equal(rows.length, 1)
  } finally {
    await t.close()
  }
})

test('rotating the secret without grace revokes the client-credentials tokens as a family; the new secret gets a new grant', async () => {
  const t = await startTestApp()
  try {
    const client = await addClient(t.app, { ownerId: await addUser(t.app) })
    const before = (await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })).json().access_token
    const another = (await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })).json().access_token
    const deps = { db: t.app.db, clock: t.app.clock, accessTokenTtlSeconds: t.config.accessTokenTtlSeconds, revocations: t.app.revocations }
    const rotated = await rotateAppSecret(deps, client.app.clientId, 0, t.app.secrets)
    assert.equal(rotated.revokedGrants, 1)
    assert.equal(isTokenRevoked(t.app, before), true)
    assert.equal(isTokenRevoked(t.app, another), true)
    // The old secret stops at once, although it was cached a moment ago.
    const old = await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })
    assert.equal(old.statusCode, 401)
    const fresh = await postForm(t.app, '/oauth/token', { grant_type: 'client_credentials' }, { authorization: basic(client.app.clientId, rotated.clientSecret) })
    assert.equal(fresh.statusCode, 200, fresh.body)
    assert.equal(isTokenRevoked(t.app, fresh.json().access_token), false)
    assert.notEqual(claimsOf(fresh.json().access_token).gid, claimsOf(before).gid)
  } finally {
    await t.close()
  }
})

test('rotating with a grace period leaves the client-credentials tokens alone', async () => {
  const t = await startTestApp()
  try {
    const client = await addClient(t.app, { ownerId: await addUser(t.app) })
    const before = (await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })).json().access_token
    const deps = { db: t.app.db, clock: t.app.clock, accessTokenTtlSeconds: t.config.accessTokenTtlSeconds, revocations: t.app.revocations }
    assert.equal((await rotateAppSecret(deps, client.app.clientId, 3600, t.app.secrets)).revokedGrants, 0)
    assert.equal(isTokenRevoked(t.app, before), false)
    assert.equal((await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials' })).statusCode, 200)
  } finally {
    await t.close()
  }
})
