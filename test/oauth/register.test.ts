import assert from 'node:assert/strict'
import { test } from 'node:test'
import { findAppByClientId } from '../../src/apps/apps.queries.js'
import { createRegistrationToken } from '../../src/oauth/registration-tokens.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { addUser, basic, issueCode, postForm, REDIRECT_URI, TestClock, VERIFIER } from './fixtures.js'

function register(t: TestApp, token: string | undefined, metadata: unknown) {
  return t.app.inject({
    method: 'POST',
    url: '/oauth/register',
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    payload: metadata as object,
  })
}

test('a confidential client registers with an initial access token and can then use the code flow', async () => {
  const t = await startTestApp()
  try {
    const { token } = await createRegistrationToken(t.app.db, t.app.clock, { expiresInSeconds: 600 }, t.app.secrets)
    const response = await register(t, token, { client_name: 'Registered', redirect_uris: [REDIRECT_URI], scope: 'account issue', unknown_field: 'ignored' })
    assert.equal(response.statusCode, 201)
    assert.equal(response.headers['cache-control'], 'no-store')
    const body = response.json()
    assert.match(body.client_id, /^[0-9A-Za-z]{20}$/)
    assert.match(body.client_secret, /^gth_cs_/)
    assert.equal(body.client_secret_expires_at, 0)
    assert.equal(typeof body.client_id_issued_at, 'number')
    assert.equal(body.client_name, 'Registered')
    assert.deepEqual(body.redirect_uris, [REDIRECT_URI])
    assert.deepEqual(body.grant_types, ['authorization_code', 'refresh_token'])
    assert.deepEqual(body.response_types, ['code'])
    assert.equal(body.token_endpoint_auth_method, 'client_secret_basic')
    assert.equal(body.scope, 'account issue')
    assert.equal(body.unknown_field, undefined)

    const app = (await findAppByClientId(t.app.db, body.client_id))!
    assert.equal(app.createdVia, 'dynamic')
    const userId = await addUser(t.app)
    const { code } = await issueCode(t.app, app, userId, { scope: 'account' })
    const tokens = await postForm(t.app, '/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: VERIFIER }, { authorization: basic(body.client_id, body.client_secret) })
    assert.equal(tokens.statusCode, 200)
  } finally {
    await t.close()
  }
})

test('token_endpoint_auth_method none registers a public client without a secret, and with no scopes unless it names them', async () => {
  const t = await startTestApp()
  try {
    const { token } = await createRegistrationToken(t.app.db, t.app.clock, { expiresInSeconds: 600 }, t.app.secrets)
    const body = (await register(t, token, { redirect_uris: ['com.example.app:/callback'], token_endpoint_auth_method: 'none' })).json()
    assert.equal(body.client_secret, undefined)
    assert.equal(body.client_secret_expires_at, undefined)
    assert.equal(body.token_endpoint_auth_method, 'none')
    assert.equal(body.scope, '')
    const app = (await findAppByClientId(t.app.db, body.client_id))!
    assert.equal(app.isPublic, true)
    assert.deepEqual(app.scopes, [], 'least privilege: nothing granted by default')
    assert.equal(app.isResourceServer, false)
  } finally {
    await t.close()
  }
})

test('a missing, unknown, expired or used-up initial access token is invalid_token 401', async () => {
  const clock = new TestClock()
  const t = await startTestApp({}, { clock })
  try {
    const metadata = { redirect_uris: [REDIRECT_URI] }
    const missing = await register(t, undefined, metadata)
    assert.equal(missing.statusCode, 401)
    assert.equal(missing.json().error, 'invalid_token')
    assert.match(missing.headers['www-authenticate'] as string, /^Bearer/)
    assert.equal((await register(t, 'gth_rg_nope', metadata)).statusCode, 401)

    const single = await createRegistrationToken(t.app.db, t.app.clock, { expiresInSeconds: 600 }, t.app.secrets)
    assert.equal((await register(t, single.token, metadata)).statusCode, 201)
    const reused = await register(t, single.token, metadata)
    assert.equal(reused.statusCode, 401)
    assert.equal(reused.json().error, 'invalid_token')

    const shortLived = await createRegistrationToken(t.app.db, t.app.clock, { expiresInSeconds: 60 }, t.app.secrets)
    clock.advance(60)
    assert.equal((await register(t, shortLived.token, metadata)).statusCode, 401)
  } finally {
    await t.close()
  }
})

test('an unauthenticated request learns nothing about its metadata', async () => {
  const t = await startTestApp()
  try {
    const response = await register(t, undefined, { redirect_uris: 'not an array of course', grant_types: [1, 2] })
    assert.equal(response.statusCode, 401)
  } finally {
    await t.close()
  }
})

test('a form-encoded registration is refused: client metadata is JSON (RFC 7591 §3.1)', async () => {
  const t = await startTestApp()
  try {
    const { token } = await createRegistrationToken(t.app.db, t.app.clock, { expiresInSeconds: 600 }, t.app.secrets)
    const send = (contentType: string, payload: string, authorization?: string) =>
      t.app.inject({ method: 'POST', url: '/oauth/register', headers: { 'content-type': contentType, ...(authorization ? { authorization } : {}) }, payload })
    const form = new URLSearchParams({ redirect_uris: REDIRECT_URI, client_name: 'Form' }).toString()

    assert.equal((await send('application/x-www-form-urlencoded', form)).statusCode, 401, 'authentication is still checked first')
    for (const [contentType, payload] of [['application/x-www-form-urlencoded', form], ['text/plain', JSON.stringify({ redirect_uris: [REDIRECT_URI] })]]) {
      const response = await send(contentType, payload, `Bearer ${token}`)
      assert.equal(response.statusCode, 400, contentType)
      assert.equal(response.json().error, 'invalid_client_metadata')
      assert.match(response.json().error_description, /application\/json/)
    }
    assert.equal(await t.app.db.selectFrom('apps').select('id').executeTakeFirst(), undefined)
    const json = await send('application/json; charset=utf-8', JSON.stringify({ redirect_uris: [REDIRECT_URI] }), `Bearer ${token}`)
    assert.equal(json.statusCode, 201, 'and the refusals did not spend the token')
  } finally {
    await t.close()
  }
})

test('a token with several uses is spent one registration at a time, concurrently too', async () => {
  const t = await startTestApp()
  try {
    const { token } = await createRegistrationToken(t.app.db, t.app.clock, { expiresInSeconds: 600, uses: 2 }, t.app.secrets)
    const responses = await Promise.all([1, 2, 3].map(() => register(t, token, { redirect_uris: [REDIRECT_URI] })))
    assert.deepEqual(responses.map((r) => r.statusCode).sort(), [201, 201, 401])
  } finally {
    await t.close()
  }
})

test('bad redirect URIs are invalid_redirect_uri, and do not spend the initial access token', async () => {
  const t = await startTestApp()
  try {
    const { token } = await createRegistrationToken(t.app.db, t.app.clock, { expiresInSeconds: 600 }, t.app.secrets)
    for (const uri of ['http://client.example/callback', 'https://client.example/cb#frag', '/relative', 'javascript:alert(1)', 'myapp:/callback']) {
      const response = await register(t, token, { redirect_uris: [uri] })
      assert.equal(response.statusCode, 400, uri)
      assert.equal(response.json().error, 'invalid_redirect_uri', uri)
    }
    const missing = await register(t, token, {})
    assert.equal(missing.json().error, 'invalid_redirect_uri')
    assert.equal((await register(t, token, { redirect_uris: ['http://127.0.0.1:8123/cb'] })).statusCode, 201)
  } finally {
    await t.close()
  }
})

test('bad metadata is invalid_client_metadata', async () => {
  const t = await startTestApp()
  try {
    const { token } = await createRegistrationToken(t.app.db, t.app.clock, { expiresInSeconds: 600, uses: 10 }, t.app.secrets)
    const base = { redirect_uris: [REDIRECT_URI] }
    for (const metadata of [
      { ...base, grant_types: ['client_credentials'] },
      { ...base, grant_types: ['password'] },
      { ...base, grant_types: ['authorization_code'], response_types: ['token'] },
      { ...base, token_endpoint_auth_method: 'private_key_jwt' },
      { ...base, scope: 'account nonexistent' },
      { ...base, scope: 'bad"scope' },
      { ...base, client_name: 'x'.repeat(201) },
      { ...base, grant_types: 'authorization_code refresh_token' },
      { redirect_uris: [{ uri: REDIRECT_URI }] },
      [],
    ]) {
      const response = await register(t, token, metadata)
      assert.equal(response.statusCode, 400, JSON.stringify(metadata))
      assert.equal(response.json().error, 'invalid_client_metadata', JSON.stringify(metadata))
    }
    const left = await t.app.db.selectFrom('registration_tokens').select('uses_left').executeTakeFirstOrThrow()
    assert.equal(left.uses_left, 10)
  } finally {
    await t.close()
  }
})

test('registration cannot make an app a resource server, whatever the metadata says', async () => {
  const t = await startTestApp()
  try {
    const { token } = await createRegistrationToken(t.app.db, t.app.clock, { expiresInSeconds: 600 }, t.app.secrets)
    const response = await register(t, token, { redirect_uris: [REDIRECT_URI], scope: 'account', is_resource_server: true, resource_server: true })
    assert.equal(response.statusCode, 201)
    assert.equal((await findAppByClientId(t.app.db, response.json().client_id))!.isResourceServer, false)
  } finally {
    await t.close()
  }
})
