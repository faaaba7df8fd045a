import assert from 'node:assert/strict'
import { test } from 'node:test'
import { JWT_BEARER_GRANT_TYPE } from '../../src/installations/impersonation-grant.js'
import { JWT_GRANT_TYPE } from '../../src/installations/jwt-grant.js'
import { startTestApp } from '../support/app.js'

// Installed apps join the token endpoint with these, whatever else is turned on.
const INSTALLED_APP_GRANTS = [JWT_GRANT_TYPE, JWT_BEARER_GRANT_TYPE]
import { addClient, addUser, asClient, claimsOf, PASSWORD, refresh } from './fixtures.js'

// The password grant exists only where the deployment turns it on (GATEHOUSE_ALLOW_PASSWORD_GRANT);
// the tests below turn it on, except the first.

test('the password grant is off by default: unsupported_grant_type even for an app given it, and not in metadata', async () => {
  const t = await startTestApp()
  try {
    await addUser(t.app)
    const client = await addClient(t.app, { grantTypes: ['password', 'refresh_token'], redirectUris: [] })
    const response = await asClient(t.app, client, '/oauth/token', { grant_type: 'password', username: 'ada', password: PASSWORD })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json().error, 'unsupported_grant_type')
    assert.doesNotMatch(response.json().error_description, /use one of .*password/)
    assert.equal(await t.app.db.selectFrom('grants').select('id').executeTakeFirst(), undefined, 'no grant was made')
    const metadata = (await t.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json()
    assert.deepEqual(metadata.grant_types_supported, ['authorization_code', 'refresh_token', 'client_credentials', ...INSTALLED_APP_GRANTS])
  } finally {
    await t.close()
  }
})

test('turned on, the password grant is advertised in metadata', async () => {
  const t = await startTestApp({ allowPasswordGrant: true })
  try {
    const metadata = (await t.app.inject({ method: 'GET', url: '/.well-known/oauth-authorization-server' })).json()
    assert.deepEqual(metadata.grant_types_supported, ['authorization_code', 'refresh_token', 'client_credentials', 'password', ...INSTALLED_APP_GRANTS])
  } finally {
    await t.close()
  }
})

test('the password grant issues an access and a refresh token under a new password grant', async () => {
  const t = await startTestApp({ allowPasswordGrant: true })
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app, { grantTypes: ['password', 'refresh_token'], redirectUris: [] })
    const response = await asClient(t.app, client, '/oauth/token', { grant_type: 'password', username: 'ada', password: PASSWORD, scope: 'account' })
    assert.equal(response.statusCode, 200)
    const body = response.json()
    assert.equal(body.scope, 'account')
    const claims = claimsOf(body.access_token)
    assert.equal(claims.sub, userId)
    const grant = await t.app.db.selectFrom('grants').selectAll().where('id', '=', claims.gid!).executeTakeFirstOrThrow()
    assert.equal(grant.kind, 'password')
    assert.equal(grant.user_id, userId)
    assert.equal((await refresh(t.app, client, body.refresh_token)).statusCode, 200)
  } finally {
    await t.close()
  }
})

test('a wrong password or unknown user is invalid_grant', async () => {
  const t = await startTestApp({ allowPasswordGrant: true })
  try {
    await addUser(t.app)
    const client = await addClient(t.app, { grantTypes: ['password'], redirectUris: [] })
    for (const [username, password] of [['ada', 'wrong password'], ['nobody', PASSWORD]]) {
      const response = await asClient(t.app, client, '/oauth/token', { grant_type: 'password', username, password })
      assert.equal(response.statusCode, 400)
      assert.equal(response.json().error, 'invalid_grant')
    }
  } finally {
    await t.close()
  }
})

test('the password grant needs a username and a password', async () => {
  const t = await startTestApp({ allowPasswordGrant: true })
  try {
    const client = await addClient(t.app, { grantTypes: ['password'], redirectUris: [] })
    const response = await asClient(t.app, client, '/oauth/token', { grant_type: 'password', username: 'ada' })
    assert.equal(response.json().error, 'invalid_request')
  } finally {
    await t.close()
  }
})

test('an app not explicitly given the password grant cannot use it', async () => {
  const t = await startTestApp({ allowPasswordGrant: true })
  try {
    await addUser(t.app)
    const client = await addClient(t.app)
    assert.equal(client.app.grantTypes.includes('password'), false)
    const response = await asClient(t.app, client, '/oauth/token', { grant_type: 'password', username: 'ada', password: PASSWORD })
    assert.equal(response.json().error, 'unauthorized_client')
  } finally {
    await t.close()
  }
})
