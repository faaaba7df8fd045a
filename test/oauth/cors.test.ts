import assert from 'node:assert/strict'
import { test } from 'node:test'
import { disableApp } from '../../src/admin/accounts.service.js'
import { createRegistrationToken } from '../../src/oauth/registration-tokens.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { adminDeps } from '../admin/fixtures.js'
import { addClient, postForm } from './fixtures.js'

const APP_ORIGIN = 'https://spa.example'
const OTHER_APP_ORIGIN = 'https://other.example:8443'

async function withBrowserApps(t: TestApp) {
  const spa = await addClient(t.app, { name: 'SPA', isPublic: true, redirectUris: [`${APP_ORIGIN}/callback`, 'com.example.spa:/cb'] })
  const other = await addClient(t.app, { name: 'Other', redirectUris: [`${OTHER_APP_ORIGIN}/oauth/done`] })
  // Apps made straight in the database, as these are, reach the origins on the next reload; the CLI and registration announce theirs.
  await t.app.revocations.recordAppChanged(t.app.db, spa.app.clientId).then((announce) => announce())
  return { spa, other }
}

function preflight(t: TestApp, url: string, origin: string, method = 'POST') {
  return t.app.inject({ method: 'OPTIONS', url, headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' } })
}

test('preflights for the token and revocation endpoints are answered for the origins of registered redirect URIs only', async () => {
  const t = await startTestApp()
  try {
    await withBrowserApps(t)
    for (const url of ['/oauth/token', '/oauth/revoke']) {
      const allowed = await preflight(t, url, APP_ORIGIN)
      assert.equal(allowed.statusCode, 204)
      assert.equal(allowed.headers['access-control-allow-origin'], APP_ORIGIN)
      assert.equal(allowed.headers['access-control-allow-methods'], 'POST')
      assert.match(allowed.headers['access-control-allow-headers'] as string, /content-type/)
      assert.equal((await preflight(t, url, OTHER_APP_ORIGIN)).headers['access-control-allow-origin'], OTHER_APP_ORIGIN)
      for (const origin of ['https://evil.example', 'https://spa.example.evil.example', 'http://spa.example', 'null']) {
        const refused = await preflight(t, url, origin)
        assert.equal(refused.headers['access-control-allow-origin'], undefined, `${url} from ${origin}`)
      }
      assert.equal((await preflight(t, url, APP_ORIGIN, 'DELETE')).headers['access-control-allow-origin'], undefined)
    }
  } finally {
    await t.close()
  }
})

test("a token response carries CORS only for the calling app's own origins, errors included", async () => {
  const t = await startTestApp()
  try {
    const { spa } = await withBrowserApps(t)
    const ask = (origin: string) =>
      postForm(t.app, '/oauth/token', { grant_type: 'authorization_code', client_id: spa.app.clientId, code: 'not-a-code', redirect_uri: `${APP_ORIGIN}/callback`, code_verifier: 'x'.repeat(43) }, { origin })
    const own = await ask(APP_ORIGIN)
    assert.equal(own.statusCode, 400)
    assert.equal(own.json().error, 'invalid_grant')
    assert.equal(own.headers['access-control-allow-origin'], APP_ORIGIN, 'the app can read the error')
    assert.match(own.headers.vary as string, /Origin/)
    // Another app's origin is registered, but not for this app.
    assert.equal((await ask(OTHER_APP_ORIGIN)).headers['access-control-allow-origin'], undefined)
    assert.equal((await ask('https://evil.example')).headers['access-control-allow-origin'], undefined)
    const revoked = await postForm(t.app, '/oauth/revoke', { client_id: spa.app.clientId, token: 'whatever' }, { origin: APP_ORIGIN })
    assert.equal(revoked.statusCode, 200)
    assert.equal(revoked.headers['access-control-allow-origin'], APP_ORIGIN)
  } finally {
    await t.close()
  }
})

test('metadata and JWKS may be fetched from any registered origin, not from elsewhere', async () => {
  const t = await startTestApp()
  try {
    await withBrowserApps(t)
    for (const url of ['/.well-known/oauth-authorization-server', '/oauth/jwks.json', '/.well-known/jwks.json']) {
      for (const origin of [APP_ORIGIN, OTHER_APP_ORIGIN]) {
        const response = await t.app.inject({ method: 'GET', url, headers: { origin } })
        assert.equal(response.statusCode, 200)
        assert.equal(response.headers['access-control-allow-origin'], origin, `${url} from ${origin}`)
      }
      const elsewhere = await t.app.inject({ method: 'GET', url, headers: { origin: 'https://evil.example' } })
      assert.equal(elsewhere.headers['access-control-allow-origin'], undefined)
      assert.equal((await preflight(t, url, APP_ORIGIN, 'GET')).headers['access-control-allow-origin'], APP_ORIGIN)
    }
  } finally {
    await t.close()
  }
})

test('no CORS anywhere else: introspection, registration, pages, the API', async () => {
  const t = await startTestApp()
  try {
    const { spa } = await withBrowserApps(t)
    const introspection = await postForm(t.app, '/oauth/introspect', { client_id: spa.app.clientId, token: 'x' }, { origin: APP_ORIGIN })
    assert.equal(introspection.headers['access-control-allow-origin'], undefined)
    for (const url of ['/oauth/introspect', '/oauth/register', '/', '/login', '/2.0/user']) {
      const options = await preflight(t, url, APP_ORIGIN)
      assert.equal(options.headers['access-control-allow-origin'], undefined, url)
      const get = await t.app.inject({ method: 'GET', url, headers: { origin: APP_ORIGIN } })
      assert.equal(get.headers['access-control-allow-origin'], undefined, url)
      assert.ok(get.statusCode < 500)
    }
  } finally {
    await t.close()
  }
})

test('a newly registered app\'s origin is allowed at once; a disabled app\'s origin no longer is', async () => {
  const t = await startTestApp()
  try {
    const { spa } = await withBrowserApps(t)
    const { token } = await createRegistrationToken(t.app.db, t.app.clock, { expiresInSeconds: 600 }, t.app.secrets)
    const registered = await t.app.inject({
      method: 'POST', url: '/oauth/register', headers: { authorization: `Bearer ${token}` },
      payload: { redirect_uris: ['https://new.example/cb'], token_endpoint_auth_method: 'none' },
    })
    assert.equal(registered.statusCode, 201)
    assert.equal((await preflight(t, '/oauth/token', 'https://new.example')).headers['access-control-allow-origin'], 'https://new.example')

    await disableApp(adminDeps(t.app), spa.app.clientId)
    assert.equal((await preflight(t, '/oauth/token', APP_ORIGIN)).headers['access-control-allow-origin'], undefined)
  } finally {
    await t.close()
  }
})
