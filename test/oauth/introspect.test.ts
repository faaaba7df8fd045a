import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestApp } from '../support/app.js'
import { addClient, addUser, asClient, claimsOf, issueCode, postForm, redeem, refresh, TestClock } from './fixtures.js'

async function signedIn(clock?: TestClock) {
  const t = await startTestApp({}, { clock })
  const userId = await addUser(t.app)
  const client = await addClient(t.app)
  const { code } = await issueCode(t.app, client.app, userId)
  const tokens = (await redeem(t.app, client, code)).json() as { access_token: string; refresh_token: string }
  return { t, userId, client, tokens }
}

test('an access token introspects as active with its claims and the username', async () => {
  const { t, userId, client, tokens } = await signedIn()
  try {
    const response = await asClient(t.app, client, '/oauth/introspect', { token: tokens.access_token, token_type_hint: 'access_token' })
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['cache-control'], 'no-store')
    const body = response.json()
    const claims = claimsOf(tokens.access_token)
    assert.deepEqual(body, {
      active: true, scope: 'account repository', client_id: client.app.clientId, username: 'ada', sub: userId, token_type: 'Bearer',
      exp: claims.exp, iat: body.iat, iss: t.config.issuer, aud: t.config.audience, jti: claims.jti,
    })
  } finally {
    await t.close()
  }
})

test('a refresh token introspects as active until it is used, without a token_type: it is not one (RFC 6749 §7.1)', async () => {
  const { t, userId, client, tokens } = await signedIn()
  try {
    const active = (await asClient(t.app, client, '/oauth/introspect', { token: tokens.refresh_token })).json()
    assert.equal(active.active, true)
    assert.equal('token_type' in active, false)
    assert.equal(active.sub, userId)
    assert.equal(active.username, 'ada')
    assert.equal(active.client_id, client.app.clientId)
    await refresh(t.app, client, tokens.refresh_token)
    assert.deepEqual((await asClient(t.app, client, '/oauth/introspect', { token: tokens.refresh_token })).json(), { active: false })
  } finally {
    await t.close()
  }
})

test("an app cannot introspect another app's tokens", async () => {
  const { t, tokens } = await signedIn()
  try {
    const other = await addClient(t.app, { name: 'Other' })
    for (const token of [tokens.access_token, tokens.refresh_token]) {
      assert.deepEqual((await asClient(t.app, other, '/oauth/introspect', { token })).json(), { active: false })
    }
  } finally {
    await t.close()
  }
})

test('revoked, expired, garbage and forged tokens are inactive', async () => {
  const clock = new TestClock()
  const { t, client, tokens } = await signedIn(clock)
  try {
    const forged = tokens.access_token.slice(0, -4) + (tokens.access_token.endsWith('AAAA') ? 'BBBB' : 'AAAA')
    for (const token of ['garbage', 'a.b.c', forged, 'gth_rt_' + 'x'.repeat(49)]) {
      assert.deepEqual((await asClient(t.app, client, '/oauth/introspect', { token })).json(), { active: false }, token)
    }
    // Seen once (so cached), then revoked: revocation is still checked.
    assert.equal((await asClient(t.app, client, '/oauth/introspect', { token: tokens.access_token })).json().active, true)
    const claims = claimsOf(tokens.access_token)
    await t.app.revocations.revoke('jti', claims.jti, claims.exp * 1000)
    assert.deepEqual((await asClient(t.app, client, '/oauth/introspect', { token: tokens.access_token })).json(), { active: false })

    const fresh = (await refresh(t.app, client, tokens.refresh_token)).json()
    assert.equal((await asClient(t.app, client, '/oauth/introspect', { token: fresh.access_token })).json().active, true)
    clock.advance(t.config.accessTokenTtlSeconds)
    assert.deepEqual((await asClient(t.app, client, '/oauth/introspect', { token: fresh.access_token })).json(), { active: false }, 'a cached token expires too')
  } finally {
    await t.close()
  }
})

test('introspection needs client authentication and a token', async () => {
  const { t, client, tokens } = await signedIn()
  try {
    const anonymous = await postForm(t.app, '/oauth/introspect', { token: tokens.access_token })
    assert.equal(anonymous.statusCode, 401)
    assert.equal(anonymous.json().error, 'invalid_client')
    const missing = await asClient(t.app, client, '/oauth/introspect', {})
    assert.equal(missing.statusCode, 400)
    assert.equal(missing.json().error, 'invalid_request')
  } finally {
    await t.close()
  }
})

test('a resource server may introspect any access token (RFC 7662 §1), but not other apps\' refresh tokens', async () => {
  const { t, userId, client, tokens } = await signedIn()
  try {
    const resourceServer = await addClient(t.app, { name: 'Orders API', isResourceServer: true, grantTypes: ['client_credentials'], redirectUris: [], ownerId: userId })
    const body = (await asClient(t.app, resourceServer, '/oauth/introspect', { token: tokens.access_token })).json()
    assert.equal(body.active, true)
    assert.equal(body.client_id, client.app.clientId, 'the token\'s app, not the introspecting one')
    assert.equal(body.sub, userId)
    assert.deepEqual((await asClient(t.app, resourceServer, '/oauth/introspect', { token: tokens.refresh_token })).json(), { active: false })
    // Revocation still applies.
    await asClient(t.app, client, '/oauth/revoke', { token: tokens.access_token })
    assert.deepEqual((await asClient(t.app, resourceServer, '/oauth/introspect', { token: tokens.access_token })).json(), { active: false })
  } finally {
    await t.close()
  }
})

test('an app that is not a resource server still sees only its own tokens', async () => {
  const { t, userId, tokens } = await signedIn()
  try {
    const other = await addClient(t.app, { name: 'Other', grantTypes: ['client_credentials'], redirectUris: [], ownerId: userId })
    assert.equal(other.app.isResourceServer, false)
    assert.deepEqual((await asClient(t.app, other, '/oauth/introspect', { token: tokens.access_token })).json(), { active: false })
  } finally {
    await t.close()
  }
})
