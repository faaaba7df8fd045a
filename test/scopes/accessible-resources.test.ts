import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { createWorkspace, type Workspace } from '../../src/platform/index.js'
import type { TestApp } from '../support/app.js'
import { addDescriptorApp, appJwt, installApp, type InstalledAppFixture } from '../support/installed-app.js'
import { hiddenField, insertApp, insertUser, signIn, startWebApp, type TestClient } from '../web/fixtures.js'

// GET /oauth/token/accessible-resources: the workspaces a token reaches, with its scopes, through the gate's authenticators.
const PATH = '/oauth/token/accessible-resources'
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const REDIRECT = 'http://127.0.0.1:7777/cb'
const SCOPE = 'read:workspace read:repository account'

let t: TestApp
let client: TestClient
let ada: Record<string, string>
let acme: Workspace
let beta: Workspace
let installation: InstalledAppFixture

before(async () => {
  t = await startWebApp()
  const adaUser = await insertUser(t.app, 'ada')
  const eve = await insertUser(t.app, 'eve')
  const publisher = await insertUser(t.app, 'vendor')
  acme = await createWorkspace(t.app.db, t.app.clock, { slug: 'acme', name: 'Acme Corp', members: [{ userId: adaUser.id, role: 'owner' }] })
  beta = await createWorkspace(t.app.db, t.app.clock, { slug: 'beta', name: 'Beta Labs', members: [{ userId: adaUser.id, role: 'member' }, { userId: eve.id, role: 'owner' }] })
  await createWorkspace(t.app.db, t.app.clock, { slug: 'eves', members: [{ userId: eve.id, role: 'owner' }] })
  // Published by another account, so Ada is asked, and chooses the workspaces.
  client = await insertApp(t.app, {
    name: 'Site Sync', isPublic: true, redirectUris: [REDIRECT], scopes: ['account', 'read:workspace', 'read:repository'], ownerId: publisher.id,
  })
  ada = await signIn(t.app, 'ada')
  const descriptor = await addDescriptorApp(t.app, 'reports', ['read:repository', 'read:workspace'])
  installation = await installApp(t.app, descriptor, beta)
})

beforeEach(async () => {
  await t.app.db.deleteFrom('consent_decisions').execute()
})

after(() => t.close())

/** Ada's answer on the consent page, through to the tokens, as a browser and the app would do it. */
async function authorizeAsAda(answer: [string, string][]): Promise<{ access_token: string; refresh_token: string }> {
  const query = new URLSearchParams({ client_id: client.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: SCOPE, state: 'st', code_challenge: CHALLENGE, code_challenge_method: 'S256' })
  const page = await t.app.inject({ method: 'GET', url: `/oauth/authorize?${query}`, cookies: ada })
  assert.equal(page.statusCode, 200, page.body)
  const form = page.body.slice(page.body.indexOf('<form method="post" action="/oauth/authorize/decision"'))
  const fields = [...form.matchAll(/<input type="hidden" name="([^"]+)" value="[^"]*">/g)].map((m): [string, string] => [m[1], hiddenField(form, m[1])])
  const decided = await t.app.inject({
    method: 'POST', url: '/oauth/authorize/decision', cookies: ada,
    payload: new URLSearchParams([...fields, ...answer, ['decision', 'allow']]).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
  assert.equal(decided.statusCode, 303, decided.body)
  const code = new URL(decided.headers.location as string).searchParams.get('code')!
  const tokens = await t.app.inject({
    method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ client_id: client.clientId, grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER }).toString(),
  })
  assert.equal(tokens.statusCode, 200, tokens.body)
  return tokens.json()
}

function resources(authorization?: string): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'GET', url: PATH, headers: authorization ? { authorization } : {} })
}

async function latestGrantSlugs(): Promise<string[] | null> {
  const grant = await t.app.db.selectFrom('grants').select('workspace_slugs').where('app_id', '=', client.id).orderBy('created_at', 'desc').orderBy('id').executeTakeFirstOrThrow()
  return grant.workspace_slugs === null ? null : JSON.parse(grant.workspace_slugs)
}

function entry(workspace: Workspace, scopes: string[]) {
  return { id: workspace.id, name: workspace.name, url: `${t.config.issuer}/2.0/workspaces/${workspace.slug}`, scopes }
}

test('a token the person limited to one workspace on the consent page lists that one, as the grant holds it, with its sorted scopes', async () => {
  const { access_token: token } = await authorizeAsAda([['workspace_access', 'some'], ['workspaces', 'beta']])
  assert.deepEqual(await latestGrantSlugs(), ['beta'])
  const response = await resources(`Bearer ${token}`)
  assert.equal(response.statusCode, 200, response.body)
  assert.deepEqual(response.json(), [entry(beta, ['account', 'read:repository', 'read:workspace'])])
  // The URL it gives is one the token may call, with a scope it holds.
  const workspace = await t.app.inject({ method: 'GET', url: new URL(response.json()[0].url).pathname, headers: { authorization: `Bearer ${token}` } })
  assert.equal(workspace.statusCode, 200)
  assert.equal(workspace.json().uuid, beta.id)
})

test('a token for all of their workspaces lists each of them (by slug), and none they are not a member of', async () => {
  const { access_token: token } = await authorizeAsAda([['workspace_access', 'all']])
  assert.equal(await latestGrantSlugs(), null)
  const response = await resources(`Bearer ${token}`)
  assert.equal(response.statusCode, 200, response.body)
  assert.deepEqual(response.json(), [entry(acme, ['account', 'read:repository', 'read:workspace']), entry(beta, ['account', 'read:repository', 'read:workspace'])])
})

test('no scope is needed: a token holding only an unrelated scope still gets its workspaces', async () => {
  const adaId = (await t.app.db.selectFrom('users').select('id').where('username', '=', 'ada').executeTakeFirstOrThrow()).id
  const { token } = await t.app.accessTokens.issue({ subject: adaId, clientId: client.clientId, scope: 'read:repository', workspaces: ['acme'] })
  const response = await resources(`Bearer ${token}`)
  assert.equal(response.statusCode, 200, response.body)
  assert.deepEqual(response.json(), [entry(acme, ['read:repository'])])
})

test("an installed app calling as its installation (app JWT) gets its one workspace, with the app's scopes", async () => {
  const jwt = await appJwt(t.app, installation, { method: 'GET', url: PATH })
  const response = await resources(`JWT ${jwt}`)
  assert.equal(response.statusCode, 200, response.body)
  assert.deepEqual(response.json(), [entry(beta, ['read:repository', 'read:workspace'])])
})

test('the API headers: no-store, nosniff, JSON', async () => {
  const { access_token: token } = await authorizeAsAda([['workspace_access', 'all']])
  const response = await resources(`Bearer ${token}`)
  assert.equal(response.headers['cache-control'], 'no-store')
  assert.equal(response.headers['x-content-type-options'], 'nosniff')
  assert.match(response.headers['content-type'] as string, /^application\/json/)
})

test('no token: 401 with the RFC 6750 challenge, as the gate answers', async () => {
  const response = await resources()
  assert.equal(response.statusCode, 401)
  assert.equal(response.headers['www-authenticate'], 'Bearer realm="gatehouse"')
  assert.equal(response.headers['cache-control'], 'no-store')
  assert.equal(response.json().error.code, 'ERR_UNAUTHENTICATED')
})

test('a forged, a malformed or an unknown kind of credential: 401 invalid_token', async () => {
  const { access_token: token } = await authorizeAsAda([['workspace_access', 'all']])
  const [header, payload] = token.split('.')
  for (const authorization of [`Bearer ${header}.${payload}.AAAA`, 'Bearer not-a-token', 'Basic YWRhOnNlY3JldA==', `JWT ${token}`]) {
    const response = await resources(authorization)
    assert.equal(response.statusCode, 401, authorization)
    assert.match(response.headers['www-authenticate'] as string, /^Bearer error="invalid_token"/, authorization)
  }
})

test('a revoked token: 401 invalid_token (the app revoked its refresh token, and with it the grant)', async () => {
  const { access_token: token, refresh_token: refresh } = await authorizeAsAda([['workspace_access', 'some'], ['workspaces', 'acme']])
  assert.equal((await resources(`Bearer ${token}`)).statusCode, 200)
  const revoked = await t.app.inject({
    method: 'POST', url: '/oauth/revoke', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ client_id: client.clientId, token: refresh }).toString(),
  })
  assert.equal(revoked.statusCode, 200, revoked.body)
  const response = await resources(`Bearer ${token}`)
  assert.equal(response.statusCode, 401)
  assert.match(response.headers['www-authenticate'] as string, /^Bearer error="invalid_token", error_description="The access token has been revoked"/)
})
