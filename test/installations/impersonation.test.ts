import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createRepository } from '../../src/platform/index.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { addDescriptorApp, allowApp, impersonationAssertion, installApp, setInstallationState, type AssertionOptions, type InstalledAppFixture } from '../support/installed-app.js'
import { TestClock } from '../oauth/fixtures.js'
import { acme, type Caller } from '../platform/fixtures.js'

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'

let t: TestApp
let clock: TestClock
let ada: Caller
let grace: Caller
let eve: Caller
let helper: InstalledAppFixture
let plain: InstalledAppFixture
let workspaceId: string

before(async () => {
  clock = new TestClock()
  t = await startTestApp({}, { clock })
  let workspace
  ;({ ada, grace, eve, workspace } = await acme(t.app))
  workspaceId = workspace.id
  helper = await installApp(t.app, await addDescriptorApp(t.app, 'acme-helper', ['account', 'workspace', 'repository', 'repository:write', 'act_as_user']), workspace)
  plain = await installApp(t.app, await addDescriptorApp(t.app, 'acme-plain', ['account', 'workspace']), workspace)
  // Ada and Grace allowed the helper to act for them (consent); the last tests here are about that decision.
  for (const person of [ada, grace]) await allowApp(t.app, helper.app, person.id, ['account', 'repository', 'repository:write', 'workspace'])
})
after(() => t.close())

async function exchange(assertion: string, extra: Record<string, string> = {}) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: JWT_BEARER, assertion, ...extra }).toString(),
  })
  return { status: response.statusCode, body: response.json() }
}

async function impersonate(installation: InstalledAppFixture, options: AssertionOptions, extra: Record<string, string> = {}) {
  return exchange(await impersonationAssertion(t.app, installation, options), extra)
}

function refused(response: { status: number; body: { error: string; error_description: string } }, error: string, pattern: RegExp): void {
  assert.equal(response.status, 400, JSON.stringify(response.body))
  assert.equal(response.body.error, error)
  assert.match(response.body.error_description, pattern)
}

test("an app with act_as_user gets a token acting as a member of its workspace, within the app's scopes, without a refresh token", async () => {
  const response = await impersonate(helper, { userId: grace.id })
  assert.equal(response.status, 200, JSON.stringify(response.body))
  assert.equal(response.body.scope, 'account repository repository:write workspace')
  assert.equal(response.body.refresh_token, undefined)
  assert.deepEqual(response.body.workspaces, ['acme'], "it reaches the app's workspace, not the person's others")
  const me = await t.app.inject({ url: '/2.0/user', headers: { authorization: `Bearer ${response.body.access_token}` } })
  assert.equal(me.json().username, 'grace')
  const claims = JSON.parse(Buffer.from(response.body.access_token.split('.')[1], 'base64url').toString())
  assert.equal(claims.client_id, 'acme-helper')
  const grant = await t.app.db.selectFrom('grants').selectAll().where('id', '=', claims.gid).executeTakeFirstOrThrow()
  assert.equal(grant.installation_id, helper.installationId)
  assert.equal(grant.kind, 'impersonation')
  assert.equal(grant.user_id, grace.id)
})

test("the token acts within the user's own rights: as a member it cannot do what only an owner may", async () => {
  await createRepository(t.app.db, t.app.clock, { workspaceId, slug: 'hello' })
  const asGrace = await impersonate(helper, { userId: grace.id }, { scope: 'repository:write' })
  assert.equal(asGrace.body.scope, 'repository:write')
  const byMember = await t.app.inject({ method: 'DELETE', url: '/2.0/repositories/acme/hello', headers: { authorization: `Bearer ${asGrace.body.access_token}` } })
  assert.equal(byMember.statusCode, 403)
  assert.match(byMember.json().error.message, /Only an owner/)
  const asAda = await impersonate(helper, { userId: ada.id }, { scope: 'repository:write' })
  const byOwner = await t.app.inject({ method: 'DELETE', url: '/2.0/repositories/acme/hello', headers: { authorization: `Bearer ${asAda.body.access_token}` } })
  assert.equal(byOwner.statusCode, 204)
  refused(await impersonate(helper, { userId: ada.id }, { scope: 'issue' }), 'invalid_scope', /may not request: issue/)
})

test('the user must be a person who belongs to the workspace', async () => {
  refused(await impersonate(helper, { userId: eve.id }), 'invalid_grant', /"eve" is not a member of workspace "acme", where the app is installed/)
  refused(await impersonate(helper, { userId: plain.appUserId }), 'invalid_grant', /is an app account; an app may act only as a person/)
  refused(await impersonate(helper, { userId: 'no-such-user' }), 'invalid_grant', /No user has the id "no-such-user"/)
})

test('an app whose descriptor lacks act_as_user is unauthorized_client, naming the scope', async () => {
  refused(await impersonate(plain, { userId: grace.id }), 'unauthorized_client', /descriptor's scopes do not include act_as_user/)
})

test('the assertion lives at most 60 s, and names this platform as tnt and its token endpoint as aud', async () => {
  refused(await impersonate(helper, { userId: grace.id, expOffset: 300 }), 'invalid_grant', /"exp" .* is more than 60 s from now/)
  assert.equal((await impersonate(helper, { userId: grace.id, expOffset: 60 })).status, 200)
  refused(await impersonate(helper, { userId: grace.id, expOffset: -60 }), 'invalid_grant', /assertion expired/)
  refused(await impersonate(helper, { userId: grace.id, claims: { aud: 'https://elsewhere.example/oauth/token' } }), 'invalid_grant', /"aud" claim/)
  refused(await impersonate(helper, { userId: grace.id, claims: { aud: undefined } }), 'invalid_grant', /no "aud" claim/)
  refused(await impersonate(helper, { userId: grace.id, claims: { tnt: 'https://elsewhere.example' } }), 'invalid_grant', /"tnt" must be this platform's base URL/)
  refused(await impersonate(helper, { userId: grace.id, claims: { tnt: undefined } }), 'invalid_grant', /no "tnt" claim/)
})

test('the assertion must be signed with the installation shared secret and name its oauthClientId and the user by URN', async () => {
  refused(await impersonate(helper, { userId: grace.id, secret: 'not-the-secret' }), 'invalid_grant', /signature does not verify with the shared secret of the installation/)
  refused(await impersonate(helper, { userId: grace.id, secret: plain.sharedSecret }), 'invalid_grant', /signature does not verify/)
  refused(await impersonate(helper, { userId: grace.id, claims: { iss: helper.oauthClientId } }), 'invalid_grant', /"iss" must be urn:gatehouse:clientid:<oauthClientId>/)
  refused(await impersonate(helper, { userId: grace.id, claims: { sub: grace.id } }), 'invalid_grant', /"sub" must be urn:gatehouse:useraccountid:<user id>/)
  refused(await exchange('not.a.jwt'), 'invalid_grant', /not a well-formed JWT/)
  const missing = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: `grant_type=${encodeURIComponent(JWT_BEARER)}` })
  assert.equal(missing.json().error, 'invalid_request')
  assert.match(missing.json().error_description, /needs the "assertion" parameter/)
})

test('an unknown oauthClientId is always invalid_grant', async () => {
  refused(await impersonate(helper, { userId: grace.id, oauthClientId: 'oc-never-issued' }), 'invalid_grant', /No installation has the oauthClientId "oc-never-issued"/)
})

test('a disabled installation, a disabled user or a disabled app cannot impersonate', async () => {
  await setInstallationState(t.app, helper, 'disabled')
  refused(await impersonate(helper, { userId: grace.id }), 'invalid_grant', /installation of "acme-helper" in workspace "acme" is disabled/)
  await setInstallationState(t.app, helper, 'installed')
  await t.app.db.updateTable('users').set({ disabled_at: clock.now() }).where('id', '=', grace.id).execute()
  refused(await impersonate(helper, { userId: grace.id }), 'invalid_grant', /"grace" is disabled/)
  await t.app.db.updateTable('users').set({ disabled_at: null }).where('id', '=', grace.id).execute()
  await t.app.db.updateTable('apps').set({ disabled_at: clock.now() }).where('client_id', '=', 'acme-helper').execute()
  refused(await impersonate(helper, { userId: grace.id }), 'invalid_grant', /"acme-helper" is disabled/)
  await t.app.db.updateTable('apps').set({ disabled_at: null }).where('client_id', '=', 'acme-helper').execute()
  assert.equal((await impersonate(helper, { userId: grace.id })).status, 200)
})

test('without the person\'s approval the app cannot act for them; a denial refuses; an approval of fewer scopes in a grace period gives those only', async () => {
  const { createUser } = await import('../../src/users/users.service.js')
  const newcomer = await createUser(t.app.db, t.app.clock, { username: 'newcomer', password: 'newcomer-password' })
  await t.app.db.insertInto('workspace_members').values({ workspace_id: workspaceId, user_id: newcomer.id, role: 'member', created_at: clock.now() }).execute()
  refused(await impersonate(helper, { userId: newcomer.id }), 'invalid_grant', /has not allowed App acme-helper to act for them .*AP\.request shows the consent dialog.*\/account\/app-authorizations/)

  const { decide, endApprovalsNotCovering } = await import('../../src/consent/decisions.service.js')
  const subject = { userId: newcomer.id, app: { id: helper.app.id, ownerId: null }, installationId: null, perInstallation: false }
  await decide(t.app.consent, { ...subject, decision: 'deny', scopes: ['account'] })
  refused(await impersonate(helper, { userId: newcomer.id }), 'invalid_grant', /The user denied App acme-helper access; only they can lift that/)

  await decide(t.app.consent, { ...subject, decision: 'allow', scopes: ['account', 'workspace'] })
  refused(await impersonate(helper, { userId: newcomer.id }), 'invalid_grant', /has not allowed/)
  assert.equal((await impersonate(helper, { userId: newcomer.id }, { scope: 'account workspace' })).body.scope, 'account workspace')

  // The app now asks for more, with a grace period: the old approval keeps working with its old scopes only.
  await endApprovalsNotCovering(t.app.consent, { appId: helper.app.id, installationId: null, appScopes: ['account', 'repository', 'repository:write', 'workspace', 'issue'], graceMs: 86_400_000 })
  const during = await impersonate(helper, { userId: newcomer.id })
  assert.equal(during.status, 200, JSON.stringify(during.body))
  assert.equal(during.body.scope, 'account workspace', 'the app asked for all its scopes, and gets what the old approval allowed')
  clock.advance(86_400 + 1)
  refused(await impersonate(helper, { userId: newcomer.id }, { scope: 'account workspace' }), 'invalid_grant', /has not allowed/)
})
