import assert from 'node:assert/strict'
import { test } from 'node:test'
import { AppValidationError, createApp, getApp, listApps, rotateClientSecret, setAppDisabled } from '../../src/apps/apps.service.js'
import type { ScopeDefinition } from '../../src/domain/scopes.js'
import { hashSecret } from '../../src/domain/opaque-token.js'
import { NotFoundError } from '../../src/errors.js'
import { createUser } from '../../src/users/users.service.js'
import { startTestApp, type TestApp } from '../support/app.js'

const catalogue: ScopeDefinition[] = [{ name: 'account', description: 'a' }, { name: 'issue', description: 'i' }]
const redirectUris = ['https://client.example/callback']

function create(t: TestApp, input: Partial<Parameters<typeof createApp>[3]> = {}) {
  return createApp(t.app.db, t.app.clock, catalogue, { name: 'Example', redirectUris, createdVia: 'cli', ...input }, t.app.secrets)
}

async function rejects(promise: Promise<unknown>, field: string, pattern: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof AppValidationError, String(error))
    assert.equal(error.field, field)
    assert.equal(error.status, 400)
    assert.match(error.message, pattern)
    return true
  })
}

test('a confidential app gets a readable client_id, a secret stored only as a hash, and the default grants (client_credentials only with an owner to act as)', async () => {
  const t = await startTestApp()
  try {
    const owner = await createUser(t.app.db, t.app.clock, { username: 'owner', password: 'correct horse battery' })
    const { app, clientSecret } = await create(t, { scopes: ['account'], ownerId: owner.id })
    assert.match(app.clientId, /^[0-9A-Za-z]{20}$/)
    assert.match(clientSecret!, /^gth_cs_/)
    assert.deepEqual(app.grantTypes, ['authorization_code', 'refresh_token', 'client_credentials'])
    assert.deepEqual((await create(t, { scopes: ['account'] })).app.grantTypes, ['authorization_code', 'refresh_token'], 'no owner, no client_credentials by default')
    assert.equal(app.isPublic, false)
    assert.equal(app.tokenEndpointAuthMethod, 'client_secret_basic')
    assert.deepEqual(app.scopes, ['account'])
    const secrets = await t.app.db.selectFrom('app_secrets').selectAll().where('app_id', '=', app.id).execute()
    assert.deepEqual(secrets.map((s) => s.secret_hash), [hashSecret(clientSecret!)])
    assert.deepEqual(await getApp(t.app.db, app.clientId), app)
  } finally {
    await t.close()
  }
})

test('a public app has no secret, auth method none, and no client_credentials by default', async () => {
  const t = await startTestApp()
  try {
    const { app, clientSecret } = await create(t, { isPublic: true })
    assert.equal(clientSecret, undefined)
    assert.equal(app.tokenEndpointAuthMethod, 'none')
    assert.deepEqual(app.grantTypes, ['authorization_code', 'refresh_token'])
    assert.equal((await t.app.db.selectFrom('app_secrets').selectAll().execute()).length, 0)
  } finally {
    await t.close()
  }
})

test('scopes default to none and must come from the catalogue', async () => {
  const t = await startTestApp()
  try {
    assert.deepEqual((await create(t)).app.scopes, [])
    await rejects(create(t, { scopes: ['account', 'admin'] }), 'scopes', /admin/)
  } finally {
    await t.close()
  }
})

test('the app rules: name, grants, public clients and redirect URIs', async () => {
  const t = await startTestApp()
  try {
    await rejects(create(t, { name: '  ' }), 'name', /name/)
    await rejects(create(t, { isPublic: true, grantTypes: ['client_credentials'] }), 'grant_types', /public/)
    await rejects(create(t, { isPublic: true, tokenEndpointAuthMethod: 'client_secret_basic' }), 'token_endpoint_auth_method', /public/)
    await rejects(create(t, { tokenEndpointAuthMethod: 'private_key_jwt' }), 'token_endpoint_auth_method', /one of/)
    await rejects(create(t, { grantTypes: ['implicit'] }), 'grant_types', /implicit/)
    await rejects(create(t, { grantTypes: [] }), 'grant_types', /at least one/)
    await rejects(create(t, { redirectUris: [] }), 'redirect_uris', /at least one redirect URI/)
    await rejects(create(t, { ownerId: 'no-such-user' }), 'owner', /no-such-user/)
    // Client-credentials tokens act as the owner: an app without one cannot be given the grant.
    await rejects(create(t, { redirectUris: [], grantTypes: ['client_credentials'] }), 'grant_types', /needs an owner/)
    // Without the code grant, no redirect URI is needed.
    const owner = await createUser(t.app.db, t.app.clock, { username: 'owner', password: 'correct horse battery' })
    assert.deepEqual((await create(t, { redirectUris: [], grantTypes: ['client_credentials'], ownerId: owner.id })).app.grantTypes, ['client_credentials'])
    // The password grant only when asked for.
    assert.deepEqual((await create(t, { grantTypes: ['password', 'refresh_token'], redirectUris: [] })).app.grantTypes, ['password', 'refresh_token'])
  } finally {
    await t.close()
  }
})

test('redirect URIs: https anywhere, http only on loopback, private-use schemes with a dot (RFC 8252), nothing else', async () => {
  const t = await startTestApp()
  try {
    for (const uri of [
      'https://client.example/callback?tenant=1',
      'http://127.0.0.1:8080/cb',
      'http://[::1]/cb',
      'http://localhost:3000/cb',
      'com.example.app:/oauth2redirect',
    ]) {
      assert.deepEqual((await create(t, { redirectUris: [uri] })).app.redirectUris, [uri])
    }
    for (const uri of [
      'http://client.example/cb',
      'http://127.0.0.1.nip.io/cb',
      'https://client.example/cb#fragment',
      'https://user:pass@client.example/cb',
      '/relative/callback',
      'client.example/cb',
      'https:client.example',
      ' https://client.example/cb',
      'javascript:alert(1)//',
      'data:text/html,hi',
      'file:///etc/passwd',
      'myapp:/callback',
      `https://client.example/${'a'.repeat(2000)}`,
    ]) {
      await rejects(create(t, { redirectUris: [uri] }), 'redirect_uris', /redirect URI/)
    }
  } finally {
    await t.close()
  }
})

test('listApps returns every app; an owner must exist', async () => {
  const t = await startTestApp()
  try {
    const owner = await createUser(t.app.db, t.app.clock, { username: 'owner', password: 'long enough password' })
    const a = await create(t, { name: 'A', ownerId: owner.id })
    const b = await create(t, { name: 'B', isPublic: true })
    const apps = await listApps(t.app.db)
    assert.deepEqual(apps.map((x) => x.clientId).sort(), [a.app.clientId, b.app.clientId].sort())
    assert.equal(apps.find((x) => x.name === 'A')!.ownerId, owner.id)
  } finally {
    await t.close()
  }
})

test('rotating a secret keeps earlier secrets for the grace period and refuses public or unknown apps', async () => {
  const t = await startTestApp()
  try {
    const { app } = await create(t)
    const now = t.app.clock.now()
    const rotated = await rotateClientSecret(t.app.db, t.app.clock, app.clientId, { graceSeconds: 3600 }, t.app.secrets)
    assert.match(rotated.clientSecret, /^gth_cs_/)
    assert.ok(rotated.previousSecretsExpireAt >= now + 3_600_000)
    const secrets = await t.app.db.selectFrom('app_secrets').selectAll().where('app_id', '=', app.id).execute()
    assert.equal(secrets.length, 2)
    assert.deepEqual(secrets.filter((s) => s.expires_at === null).map((s) => s.secret_hash), [hashSecret(rotated.clientSecret)])

    const publicApp = await create(t, { isPublic: true })
    await assert.rejects(rotateClientSecret(t.app.db, t.app.clock, publicApp.app.clientId, { graceSeconds: 0 }, t.app.secrets), /public/)
    await assert.rejects(rotateClientSecret(t.app.db, t.app.clock, 'nobody', { graceSeconds: 0 }, t.app.secrets), NotFoundError)
    await assert.rejects(rotateClientSecret(t.app.db, t.app.clock, app.clientId, { graceSeconds: -1 }, t.app.secrets), /grace/)
  } finally {
    await t.close()
  }
})

test('an app can be disabled and enabled again', async () => {
  const t = await startTestApp()
  try {
    const { app } = await create(t)
    assert.notEqual((await setAppDisabled(t.app.db, t.app.clock, app.clientId, true)).disabledAt, null)
    assert.notEqual((await getApp(t.app.db, app.clientId)).disabledAt, null)
    assert.equal((await setAppDisabled(t.app.db, t.app.clock, app.clientId, false)).disabledAt, null)
    assert.equal((await getApp(t.app.db, app.clientId)).disabledAt, null)
  } finally {
    await t.close()
  }
})

test('a resource server must be a confidential app', async () => {
  const t = await startTestApp()
  try {
    await assert.rejects(
      createApp(t.app.db, t.app.clock, t.app.apiDescription.scopes, { name: 'RS', isPublic: true, isResourceServer: true, redirectUris: ['https://rs.example/cb'], createdVia: 'cli' }, t.app.secrets),
      /resource server .* confidential/,
    )
    const owner = await createUser(t.app.db, t.app.clock, { username: 'owner', password: 'correct horse battery' })
    const { app } = await createApp(t.app.db, t.app.clock, t.app.apiDescription.scopes, { name: 'RS', isResourceServer: true, grantTypes: ['client_credentials'], ownerId: owner.id, createdVia: 'cli' }, t.app.secrets)
    assert.equal(app.isResourceServer, true)
    assert.equal((await getApp(t.app.db, app.clientId)).isResourceServer, true)
  } finally {
    await t.close()
  }
})
