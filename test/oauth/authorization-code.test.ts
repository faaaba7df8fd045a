import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestApp } from '../support/app.js'
import { addClient, addUser, asClient, claimsOf, issueCode, isTokenRevoked, redeem, refresh, REDIRECT_URI, TestClock, VERIFIER } from './fixtures.js'

test('a code with PKCE is exchanged for an access token bound to the grant and a refresh token', async () => {
  const t = await startTestApp()
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app)
    const { code, grantId } = await issueCode(t.app, client.app, userId)
    const response = await redeem(t.app, client, code)
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['cache-control'], 'no-store')
    const body = response.json()
    assert.equal(body.token_type, 'Bearer')
    assert.equal(body.expires_in, t.config.accessTokenTtlSeconds)
    assert.equal(body.scope, 'account repository')
    assert.match(body.refresh_token, /^gth_rt_/)
    const claims = await t.app.accessTokens.verify(body.access_token)
    assert.equal(claims.sub, userId)
    assert.equal(claims.client_id, client.app.clientId)
    assert.equal(claims.gid, grantId)
  } finally {
    await t.close()
  }
})

test('an app without the refresh_token grant gets no refresh token', async () => {
  const t = await startTestApp()
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app, { grantTypes: ['authorization_code'] })
    const { code } = await issueCode(t.app, client.app, userId)
    const body = (await redeem(t.app, client, code)).json()
    assert.ok(body.access_token)
    assert.equal(body.refresh_token, undefined)
  } finally {
    await t.close()
  }
})

test('authorization code reuse is rejected and revokes everything the first use issued', async () => {
  const t = await startTestApp()
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app)
    const { code, grantId } = await issueCode(t.app, client.app, userId)
    const first = (await redeem(t.app, client, code)).json()

    const second = await redeem(t.app, client, code)
    assert.equal(second.statusCode, 400)
    assert.equal(second.json().error, 'invalid_grant')

    assert.equal(isTokenRevoked(t.app, first.access_token), true)
    const refreshed = await refresh(t.app, client, first.refresh_token)
    assert.equal(refreshed.json().error, 'invalid_grant')
    const grant = await t.app.db.selectFrom('grants').selectAll().where('id', '=', grantId).executeTakeFirstOrThrow()
    assert.notEqual(grant.revoked_at, null)
  } finally {
    await t.close()
  }
})

test('concurrent redemptions of one code cannot both succeed', async () => {
  const t = await startTestApp()
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app)
    const { code } = await issueCode(t.app, client.app, userId)
    const responses = await Promise.all([redeem(t.app, client, code), redeem(t.app, client, code), redeem(t.app, client, code)])
    const succeeded = responses.filter((r) => r.statusCode === 200)
    assert.equal(succeeded.length, 1, `${succeeded.length} redemptions succeeded`)
    for (const r of responses.filter((r) => r.statusCode !== 200)) assert.equal(r.json().error, 'invalid_grant')
  } finally {
    await t.close()
  }
})

test('an expired code is invalid_grant', async () => {
  const clock = new TestClock()
  const t = await startTestApp({}, { clock })
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app)
    const { code } = await issueCode(t.app, client.app, userId)
    clock.advance(t.config.authorizationCodeTtlSeconds)
    const response = await redeem(t.app, client, code)
    assert.equal(response.statusCode, 400)
    assert.equal(response.json().error, 'invalid_grant')
    assert.match(response.json().error_description, /expired/)
  } finally {
    await t.close()
  }
})

test('the redirect_uri must equal the one the code was issued for', async () => {
  const t = await startTestApp()
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app, { redirectUris: [REDIRECT_URI, 'https://client.example/other'] })
    const { code } = await issueCode(t.app, client.app, userId)
    const other = await redeem(t.app, client, code, { redirect_uri: 'https://client.example/other' })
    assert.equal(other.json().error, 'invalid_grant')
    const missing = await redeem(t.app, client, code, { redirect_uri: '' })
    assert.equal(missing.json().error, 'invalid_request')
    // Neither attempt used the code up.
    assert.equal((await redeem(t.app, client, code)).statusCode, 200)
  } finally {
    await t.close()
  }
})

test('a code whose authorization request omitted redirect_uri is redeemed without one (RFC 6749 §4.1.3)', async () => {
  const t = await startTestApp()
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app, { redirectUris: [REDIRECT_URI, 'https://client.example/other'] })
    const withoutUri = (code: string) => asClient(t.app, client, '/oauth/token', { grant_type: 'authorization_code', code, code_verifier: VERIFIER })
    const omitted = await issueCode(t.app, client.app, userId, { redirectUriProvided: false })
    assert.equal((await withoutUri(omitted.code)).statusCode, 200)

    const named = await issueCode(t.app, client.app, userId)
    const missing = await withoutUri(named.code)
    assert.equal(missing.statusCode, 400)
    assert.equal(missing.json().error, 'invalid_request')
    assert.match(missing.json().error_description, /redirect_uri/)
  } finally {
    await t.close()
  }
})

test('a redirect_uri sent for a code whose request omitted it must still be the one the code was issued for', async () => {
  const t = await startTestApp()
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app, { redirectUris: [REDIRECT_URI, 'https://client.example/other'] })
    const { code } = await issueCode(t.app, client.app, userId, { redirectUriProvided: false })
    const other = await redeem(t.app, client, code, { redirect_uri: 'https://client.example/other' })
    assert.equal(other.json().error, 'invalid_grant')
    assert.equal((await redeem(t.app, client, code)).statusCode, 200)
  } finally {
    await t.close()
  }
})

test('a loopback code is redeemed only with the exact port the authorization used', async () => {
  const t = await startTestApp()
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app, { isPublic: true, redirectUris: ['http://127.0.0.1/cb'] })
    const { code } = await issueCode(t.app, client.app, userId, { redirectUri: 'http://127.0.0.1:51234/cb' })
    for (const redirectUri of ['http://127.0.0.1/cb', 'http://127.0.0.1:51235/cb']) {
      assert.equal((await redeem(t.app, client, code, { redirect_uri: redirectUri })).json().error, 'invalid_grant', redirectUri)
    }
    assert.equal((await redeem(t.app, client, code, { redirect_uri: 'http://127.0.0.1:51234/cb' })).statusCode, 200)
  } finally {
    await t.close()
  }
})

test('a code issued to one app cannot be redeemed by another (code injection)', async () => {
  const t = await startTestApp()
  try {
    const userId = await addUser(t.app)
    const victim = await addClient(t.app)
    const attacker = await addClient(t.app, { name: 'Attacker' })
    const { code } = await issueCode(t.app, victim.app, userId)
    const response = await redeem(t.app, attacker, code)
    assert.equal(response.statusCode, 400)
    assert.equal(response.json().error, 'invalid_grant')
    assert.equal((await redeem(t.app, victim, code)).statusCode, 200)
  } finally {
    await t.close()
  }
})

test('PKCE: a wrong, missing or malformed code_verifier is refused', async () => {
  const t = await startTestApp()
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app)
    const { code } = await issueCode(t.app, client.app, userId)
    const wrong = await redeem(t.app, client, code, { code_verifier: 'x'.repeat(43) })
    assert.equal(wrong.json().error, 'invalid_grant')
    const missing = await redeem(t.app, client, code, { code_verifier: '' })
    assert.equal(missing.json().error, 'invalid_grant')
    const malformed = await redeem(t.app, client, code, { code_verifier: 'too short' })
    assert.equal(malformed.json().error, 'invalid_request')
    assert.equal((await redeem(t.app, client, code)).statusCode, 200, 'failed verifications do not burn the code')
  } finally {
    await t.close()
  }
})

test('PKCE downgrade: a code_verifier for a code issued without a challenge is refused', async () => {
  const t = await startTestApp()
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app)
    const { code } = await issueCode(t.app, client.app, userId, { pkce: false })
    const response = await redeem(t.app, client, code, { code_verifier: VERIFIER })
    assert.equal(response.json().error, 'invalid_grant')
  } finally {
    await t.close()
  }
})

test('a confidential app may skip PKCE, a public app may not', async () => {
  const t = await startTestApp()
  try {
    const userId = await addUser(t.app)
    const confidential = await addClient(t.app)
    const publicClient = await addClient(t.app, { isPublic: true })
    const confidentialCode = await issueCode(t.app, confidential.app, userId, { pkce: false })
    const ok = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        grant_type: 'authorization_code', code: confidentialCode.code, redirect_uri: REDIRECT_URI,
        client_id: confidential.app.clientId, client_secret: confidential.secret!,
      }).toString(),
    })
    assert.equal(ok.statusCode, 200)

    const publicCode = await issueCode(t.app, publicClient.app, userId, { pkce: false })
    const refused = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'authorization_code', code: publicCode.code, redirect_uri: REDIRECT_URI, client_id: publicClient.app.clientId }).toString(),
    })
    assert.equal(refused.json().error, 'invalid_grant')
    assert.match(refused.json().error_description, /PKCE/)
  } finally {
    await t.close()
  }
})

test('a public app redeems its code with client_id and PKCE alone', async () => {
  const t = await startTestApp()
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app, { isPublic: true })
    const { code } = await issueCode(t.app, client.app, userId)
    const response = await redeem(t.app, client, code)
    assert.equal(response.statusCode, 200)
    assert.ok(response.json().refresh_token)
  } finally {
    await t.close()
  }
})

test('a code whose grant was revoked, or whose user was disabled, is refused', async () => {
  const t = await startTestApp()
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app)
    const revoked = await issueCode(t.app, client.app, userId)
    await t.app.db.updateTable('grants').set({ revoked_at: t.app.clock.now() }).where('id', '=', revoked.grantId).execute()
    assert.equal((await redeem(t.app, client, revoked.code)).json().error, 'invalid_grant')

    const disabled = await issueCode(t.app, client.app, userId)
    await t.app.db.updateTable('users').set({ disabled_at: t.app.clock.now() }).where('id', '=', userId).execute()
    assert.equal((await redeem(t.app, client, disabled.code)).json().error, 'invalid_grant')
  } finally {
    await t.close()
  }
})

test('a string that is not one of our codes is invalid_grant, never an error', async () => {
  const t = await startTestApp()
  try {
    const client = await addClient(t.app)
    for (const code of ['nope', 'gth_ac_' + 'A'.repeat(49), '🙂'.repeat(50)]) {
      const response = await redeem(t.app, client, code)
      assert.equal(response.statusCode, 400)
      assert.equal(response.json().error, 'invalid_grant')
    }
  } finally {
    await t.close()
  }
})
