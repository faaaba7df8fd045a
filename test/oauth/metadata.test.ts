import assert from 'node:assert/strict'
import { test } from 'node:test'
import { JWKS_MAX_AGE_SECONDS, KEY_ACTIVATION_DELAY_MS } from '../../src/oauth/signing-keys.js'
import { JWT_BEARER_GRANT_TYPE } from '../../src/installations/impersonation-grant.js'
import { JWT_GRANT_TYPE } from '../../src/installations/jwt-grant.js'
import { startTestApp } from '../support/app.js'

// Installed apps join the token endpoint with these, whatever else is turned on.
const INSTALLED_APP_GRANTS = [JWT_GRANT_TYPE, JWT_BEARER_GRANT_TYPE]

test('server metadata (RFC 8414) is served at its well-known path, and not under OpenID Connect\'s name', async () => {
  const t = await startTestApp({ issuer: 'https://auth.example' })
  try {
    const rfc8414 = await t.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })
    assert.equal(rfc8414.statusCode, 200)
    // Gatehouse does not implement OpenID Connect (no ID tokens, no userinfo): a Connect client must fail at discovery.
    const oidc = await t.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' })
    assert.equal(oidc.statusCode, 404)
    assert.equal(oidc.json().issuer, undefined)
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
    assert.deepEqual(metadata.grant_types_supported, ['authorization_code', 'refresh_token', 'client_credentials', ...INSTALLED_APP_GRANTS], 'the password grant only when turned on')
    for (const field of ['token_endpoint_auth_methods_supported', 'introspection_endpoint_auth_methods_supported', 'revocation_endpoint_auth_methods_supported']) {
      assert.deepEqual(metadata[field], ['client_secret_basic', 'client_secret_post', 'none'])
    }
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256'])
    assert.equal(metadata.authorization_response_iss_parameter_supported, true)
  } finally {
    await t.close()
  }
})

test('the JWKS is served with the cache lifetime rotation waits out, and holds the signing key', async () => {
  const t = await startTestApp()
  try {
    for (const url of ['/oauth/jwks.json', '/.well-known/jwks.json']) {
      const response = await t.app.inject({ method: 'GET', url })
      assert.equal(response.statusCode, 200)
      assert.equal(response.headers['cache-control'], `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
      assert.ok(JWKS_MAX_AGE_SECONDS * 1000 < KEY_ACTIVATION_DELAY_MS, 'a rotated key signs only after every cached JWKS has expired')
      const { keys } = response.json()
      assert.equal(keys.length, 1)
      assert.equal(keys[0].kid, t.app.signingKeys.signingKey().kid)
      assert.equal(keys[0].d, undefined, 'no private key material')
    }
  } finally {
    await t.close()
  }
})
