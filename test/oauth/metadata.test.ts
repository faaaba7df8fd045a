import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestApp } from '../support/app.js'

test('server metadata (RFC 8414) is served at both well-known paths', async () => {
  const t = await startTestApp({ issuer: 'https://auth.example' })
  try {
    const rfc8414 = await t.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })
    const oidc = await t.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })
    assert.equal(rfc8414.statusCode, 200)
    assert.deepEqual(oidc.json(), rfc8414.json())
    const metadata = rfc8414.json()
    assert.equal(metadata.issuer, 'https://auth.example')
    assert.equal(metadata.authorization_endpoint, 'https://auth.example/oauth/authorize')
    assert.equal(metadata.token_endpoint, 'https://auth.example/oauth/token')
    assert.equal(metadata.introspection_endpoint, 'https://auth.example/oauth/introspect')
    assert.equal(metadata.revocation_endpoint, 'https://auth.example/oauth/revoke')
    assert.equal(metadata.registration_endpoint, 'https://auth.example/oauth/register')
    assert.equal(metadata.jwks_uri, 'https://auth.example/oauth/jwks.json')
    assert.deepEqual(metadata.scopes_supported, t.app.apiDescription.scopes.map((s) => s.name))
    assert.deepEqual(metadata.response_types_supported, ['code'])
    assert.deepEqual(metadata.grant_types_supported, ['authorization_code', 'refresh_token', 'client_credentials', 'password'])
    for (const field of ['token_endpoint_auth_methods_supported', 'introspection_endpoint_auth_methods_supported', 'revocation_endpoint_auth_methods_supported']) {
      assert.deepEqual(metadata[field], ['client_secret_basic', 'client_secret_post', 'none'])
    }
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256'])
    assert.equal(metadata.authorization_response_iss_parameter_supported, true)
  } finally {
    await t.close()
  }
})

test('the JWKS is served with a short cache lifetime and holds the signing key', async () => {
  const t = await startTestApp()
  try {
    for (const url of ['/oauth/jwks.json', '/.well-known/jwks.json']) {
      const response = await t.app.inject({ method: 'GET', url })
      assert.equal(response.statusCode, 200)
      assert.match(response.headers['cache-control'] as string, /max-age=\d{1,3}\b/)
      const { keys } = response.json()
      assert.equal(keys.length, 1)
      assert.equal(keys[0].kid, t.app.signingKeys.signingKey().kid)
      assert.equal(keys[0].d, undefined, 'no private key material')
    }
  } finally {
    await t.close()
  }
})
