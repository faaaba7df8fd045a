import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createWorkspace } from '../../src/platform/index.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { addDescriptorApp, appJwt, installApp, setInstallationState, type DescriptorApp, type InstalledAppFixture } from '../support/installed-app.js'
import { TestClock } from '../oauth/fixtures.js'

const JWT_GRANT = 'urn:bitbucket:oauth2:jwt'

let t: TestApp
let clock: TestClock
let reports: DescriptorApp

before(async () => {
  clock = new TestClock()
  t = await startTestApp({}, { clock })
  reports = await addDescriptorApp(t.app, 'acme-reports', ['account', 'workspace', 'repository'])
})
after(() => t.close())

async function installed(slug: string): Promise<InstalledAppFixture> {
  return installApp(t.app, reports, await createWorkspace(t.app.db, t.app.clock, { slug, members: [] }))
}

/** A token request as a Connect library sends it: the app JWT's qsh over `POST /oauth/token`, with or without the form. */
async function tokenRequest(installation: InstalledAppFixture, form: Record<string, string>, { qshOverForm = false, authorization }: { qshOverForm?: boolean; authorization?: string } = {}) {
  const token = await appJwt(t.app, installation, { method: 'POST', url: '/oauth/token', formParameters: qshOverForm ? form : undefined })
  const response = await t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: authorization ?? `JWT ${token}` },
    payload: new URLSearchParams(form).toString(),
  })
  return { status: response.statusCode, body: response.json(), headers: response.headers }
}

async function api(url: string, accessToken: string) {
  const response = await t.app.inject({ url, headers: { authorization: `Bearer ${accessToken}` } })
  return { status: response.statusCode, body: response.json() }
}

test('the JWT grant issues an access token acting as the installation, within the app scopes, with a refresh token', async () => {
  const installation = await installed('granted')
  const response = await tokenRequest(installation, { grant_type: JWT_GRANT })
  assert.equal(response.status, 200, JSON.stringify(response.body))
  assert.equal(response.body.token_type, 'Bearer')
  assert.equal(response.body.scope, 'account repository workspace')
  assert.match(response.body.refresh_token, /^gth_rt_/)
  assert.equal(response.headers['cache-control'], 'no-store')
  const me = await api('/2.0/user', response.body.access_token)
  assert.equal(me.body.uuid, installation.appUserId)
  assert.equal((await api('/2.0/workspaces/granted', response.body.access_token)).status, 200)
  const claims = JSON.parse(Buffer.from(response.body.access_token.split('.')[1], 'base64url').toString())
  assert.equal(claims.client_id, 'acme-reports')
  assert.equal(claims.sub, installation.appUserId)
  const grant = await t.app.db.selectFrom('grants').selectAll().where('id', '=', claims.gid).executeTakeFirstOrThrow()
  assert.equal(grant.installation_id, installation.installationId)
  assert.equal(grant.kind, 'installation')
  assert.equal(grant.user_id, installation.appUserId)
})

test('the qsh may be computed over the form parameters, as the reference allows for a POST', async () => {
  const installation = await installed('form-qsh')
  const response = await tokenRequest(installation, { grant_type: JWT_GRANT, scope: 'workspace' }, { qshOverForm: true })
  assert.equal(response.status, 200, JSON.stringify(response.body))
  assert.equal(response.body.scope, 'workspace')
})

test('scope narrows the token; a scope beyond the app is invalid_scope, naming it', async () => {
  const installation = await installed('narrowed')
  const narrowed = await tokenRequest(installation, { grant_type: JWT_GRANT, scope: 'workspace' })
  assert.equal(narrowed.body.scope, 'workspace')
  assert.equal((await api('/2.0/user', narrowed.body.access_token)).status, 403)
  const wider = await tokenRequest(installation, { grant_type: JWT_GRANT, scope: 'workspace issue' })
  assert.equal(wider.status, 400)
  assert.equal(wider.body.error, 'invalid_scope')
  assert.match(wider.body.error_description, /may not request: issue/)
})

test('a refused app JWT is invalid_client (401), naming what failed', async () => {
  const installation = await installed('refused')
  const missing = await tokenRequest(installation, { grant_type: JWT_GRANT }, { authorization: '' })
  assert.equal(missing.status, 401)
  assert.equal(missing.body.error, 'invalid_client')
  assert.match(missing.body.error_description, /send "Authorization: JWT <token>"/)
  const otherRequest = await appJwt(t.app, installation, { method: 'POST', url: '/oauth/revoke' })
  const qsh = await tokenRequest(installation, { grant_type: JWT_GRANT }, { authorization: `JWT ${otherRequest}` })
  assert.equal(qsh.status, 401)
  assert.match(qsh.body.error_description, /"qsh" does not match this request; it must be the hex SHA-256 of "POST&\/oauth\/token&"/)
  const wrongSecret = await appJwt(t.app, installation, { method: 'POST', url: '/oauth/token', secret: 'guess' })
  const signature = await tokenRequest(installation, { grant_type: JWT_GRANT }, { authorization: `JWT ${wrongSecret}` })
  assert.match(signature.body.error_description, /signature does not verify/)
  assert.equal(signature.headers['www-authenticate'], 'JWT realm="gatehouse"')
})

test('a disabled installation gets no token, at once: the token endpoint does not use the cached installation', async () => {
  const installation = await installed('disabled-grant')
  assert.equal((await tokenRequest(installation, { grant_type: JWT_GRANT })).status, 200)
  await setInstallationState(t.app, installation, 'disabled')
  const response = await tokenRequest(installation, { grant_type: JWT_GRANT })
  assert.equal(response.status, 401)
  assert.match(response.body.error_description, /is disabled/)
})

test('the refresh token is refreshed with the app JWT, rotating as any other; without it the backing app cannot refresh', async () => {
  const installation = await installed('refreshed')
  const first = await tokenRequest(installation, { grant_type: JWT_GRANT, scope: 'workspace repository' })
  const refreshed = await tokenRequest(installation, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token, scope: 'workspace' })
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body))
  assert.equal(refreshed.body.scope, 'workspace')
  assert.notEqual(refreshed.body.refresh_token, first.body.refresh_token)
  assert.equal((await api('/2.0/workspaces/refreshed', refreshed.body.access_token)).status, 200)

  const withoutJwt = await t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token, client_id: 'acme-reports' }).toString(),
  })
  assert.equal(withoutJwt.statusCode, 400)
  assert.equal(withoutJwt.json().error, 'unauthorized_client')

  const replayed = await tokenRequest(installation, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token })
  assert.equal(replayed.status, 400)
  assert.match(replayed.body.error_description, /already used; its family of tokens is revoked/)
})

test("an installation cannot refresh another installation's refresh token", async () => {
  const mine = await installed('mine')
  const theirs = await installed('theirs')
  const issued = await tokenRequest(theirs, { grant_type: JWT_GRANT })
  const response = await tokenRequest(mine, { grant_type: 'refresh_token', refresh_token: issued.body.refresh_token })
  assert.equal(response.status, 400)
  assert.equal(response.body.error, 'invalid_grant')
  assert.match(response.body.error_description, /not issued to this installation/)
})

test('the server metadata lists the JWT and jwt-bearer grant types', async () => {
  const metadata = (await t.app.inject({ url: '/.well-known/oauth-authorization-server' })).json()
  assert.ok(metadata.grant_types_supported.includes(JWT_GRANT))
  assert.ok(metadata.grant_types_supported.includes('urn:ietf:params:oauth:grant-type:jwt-bearer'))
})
