import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createWorkspace } from '../../src/platform/index.js'
import { FOREVER } from '../../src/oauth/revocation-list.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { addDescriptorApp, appJwt, endInstallation, installApp, rotateSharedSecret, setInstallationState, type DescriptorApp, type InstalledAppFixture } from '../support/installed-app.js'
import { TestClock } from '../oauth/fixtures.js'
import { acme } from '../platform/fixtures.js'

let t: TestApp
let clock: TestClock
let reports: DescriptorApp
let workspace: { id: string; slug: string }

before(async () => {
  clock = new TestClock()
  t = await startTestApp({}, { clock })
  ;({ workspace } = await acme(t.app))
  reports = await addDescriptorApp(t.app, 'acme-reports', ['account', 'workspace', 'repository'])
})
after(() => t.close())

/** Each test its own workspace and installation, so a disabled or rotated one disturbs no other. */
async function installed(slug: string): Promise<InstalledAppFixture> {
  const own = await createWorkspace(t.app.db, t.app.clock, { slug, members: [] })
  return installApp(t.app, reports, own)
}

async function call(url: string, token: string, method: 'GET' | 'POST' = 'GET') {
  const response = await t.app.inject({ method, url, headers: { authorization: `JWT ${token}` } })
  return { status: response.statusCode, body: response.json(), headers: response.headers }
}

function refusal(response: { status: number; body: { error: { code: string; message: string } } }, pattern: RegExp): void {
  assert.equal(response.status, 401, JSON.stringify(response.body))
  assert.equal(response.body.error.code, 'invalid_token')
  assert.match(response.body.error.message, pattern)
}

test('an app JWT (iss = clientKey) calls the API as the installation: its app account, in its workspace', async () => {
  const installation = await installApp(t.app, reports, workspace)
  const response = await call('/2.0/workspaces/acme', await appJwt(t.app, installation, { method: 'GET', url: '/2.0/workspaces/acme' }))
  assert.equal(response.status, 200, JSON.stringify(response.body))
  assert.equal(response.body.slug, 'acme')
  const user = await call('/2.0/user', await appJwt(t.app, installation, { method: 'GET', url: '/2.0/user' }))
  assert.equal(user.body.uuid, installation.appUserId)
})

test("Bitbucket Connect's form works too: iss = the app key, sub = the clientKey", async () => {
  const installation = await installed('bitbucket-form')
  const token = await appJwt(t.app, installation, { method: 'GET', url: '/2.0/workspaces/bitbucket-form', claims: { iss: 'acme-reports', sub: installation.clientKey } })
  assert.equal((await call('/2.0/workspaces/bitbucket-form', token)).status, 200)
})

test('the qsh covers the query: sorted and encoded as the reference canonicaliser does', async () => {
  const installation = await installed('with-query')
  const url = '/2.0/workspaces?pagelen=5&page=1'
  const response = await call(url, await appJwt(t.app, installation, { method: 'GET', url }))
  assert.equal(response.status, 200, JSON.stringify(response.body))
  assert.deepEqual(response.body.values.map((w: { slug: string }) => w.slug), ['with-query'])
})

test('a qsh of another request is refused, naming the canonical request it should hash', async () => {
  const installation = await installed('qsh')
  const forOther = await appJwt(t.app, installation, { method: 'GET', url: '/2.0/workspaces/other' })
  refusal(await call('/2.0/workspaces/qsh', forOther), /"qsh" does not match this request; it must be the hex SHA-256 of "GET&\/2\.0\/workspaces\/qsh&"/)
  const otherMethod = await appJwt(t.app, installation, { method: 'POST', url: '/2.0/workspaces/qsh' })
  refusal(await call('/2.0/workspaces/qsh', otherMethod), /qsh/)
  const noQsh = await appJwt(t.app, installation, { method: 'GET', url: '/2.0/workspaces/qsh', claims: { qsh: undefined } })
  refusal(await call('/2.0/workspaces/qsh', noQsh), /no "qsh" claim/)
})

test('an expired app JWT is refused as expired; 30 s of clock skew are allowed', async () => {
  const installation = await installed('expired')
  const url = '/2.0/workspaces/expired'
  refusal(await call(url, await appJwt(t.app, installation, { method: 'GET', url, iatOffset: -200, expOffset: -31 })), /expired at/)
  assert.equal((await call(url, await appJwt(t.app, installation, { method: 'GET', url, iatOffset: -200, expOffset: -20 }))).status, 200)
})

test('an app JWT living more than 5 minutes, or issued in the future, is refused', async () => {
  const installation = await installed('long-lived')
  const url = '/2.0/workspaces/long-lived'
  refusal(await call(url, await appJwt(t.app, installation, { method: 'GET', url, expOffset: 3600 })), /"exp" is 3600 s after its "iat"; an app JWT may live at most 300 s/)
  refusal(await call(url, await appJwt(t.app, installation, { method: 'GET', url, iatOffset: 600, expOffset: 700 })), /"iat" .* is in the future/)
  refusal(await call(url, await appJwt(t.app, installation, { method: 'GET', url, claims: { iat: undefined } })), /no "iat" claim/)
  refusal(await call(url, await appJwt(t.app, installation, { method: 'GET', url, claims: { exp: undefined } })), /no "exp" claim/)
  assert.equal((await call(url, await appJwt(t.app, installation, { method: 'GET', url, expOffset: 300 }))).status, 200)
})

test('a bad signature is refused as such, and so is an algorithm other than HS256', async () => {
  const installation = await installed('bad-signature')
  const url = '/2.0/workspaces/bad-signature'
  refusal(await call(url, await appJwt(t.app, installation, { method: 'GET', url, secret: 'not-the-shared-secret' })), /signature does not verify with the installation's shared secret/)
  const good = await appJwt(t.app, installation, { method: 'GET', url })
  const [, payload] = good.split('.')
  const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url')}.${payload}.`
  refusal(await call(url, unsigned), /must be signed with HS256/)
  refusal(await call(url, 'not-a-jwt'), /not a well-formed JWT/)
})

test('an unknown clientKey is refused, naming it; once installed it works at once (no installation is not cached)', async () => {
  const installation = await installed('unknown-key')
  const url = '/2.0/workspaces/unknown-key'
  refusal(await call(url, await appJwt(t.app, installation, { method: 'GET', url, claims: { iss: 'ck-nobody' } })), /No installation has the clientKey "ck-nobody"/)
  refusal(await call(url, await appJwt(t.app, installation, { method: 'GET', url, claims: { iss: 'other-app', sub: installation.clientKey } })), /no app "other-app" has one/)
  const late = await installApp(t.app, reports, await createWorkspace(t.app.db, t.app.clock, { slug: 'late', members: [] }), { clientKey: 'ck-nobody' })
  assert.equal((await call('/2.0/workspaces/late', await appJwt(t.app, late, { method: 'GET', url: '/2.0/workspaces/late' }))).status, 200)
})

test('a disabled installation is refused within a second, and works again once enabled', async () => {
  const installation = await installed('disabled')
  const url = '/2.0/workspaces/disabled'
  assert.equal((await call(url, await appJwt(t.app, installation, { method: 'GET', url }))).status, 200)
  await setInstallationState(t.app, installation, 'disabled')
  clock.advance(1.1)
  refusal(await call(url, await appJwt(t.app, installation, { method: 'GET', url })), /installation of "acme-reports" in workspace "disabled" is disabled/)
  await setInstallationState(t.app, installation, 'installed')
  clock.advance(1.1)
  assert.equal((await call(url, await appJwt(t.app, installation, { method: 'GET', url }))).status, 200)
})

test('an app changed anywhere (announced on the revocation stream) drops the cached installations at once', async () => {
  const installation = await installed('announced')
  const url = '/2.0/workspaces/announced'
  assert.equal((await call(url, await appJwt(t.app, installation, { method: 'GET', url }))).status, 200)
  await setInstallationState(t.app, installation, 'disabled')
  ;(await t.app.revocations.recordAppChanged(t.app.db, 'acme-reports'))()
  refusal(await call(url, await appJwt(t.app, installation, { method: 'GET', url })), /is disabled/)
})

test('uninstalling refuses the app at once, through the revocation of its app account', async () => {
  const installation = await installed('uninstalled')
  const url = '/2.0/workspaces/uninstalled'
  assert.equal((await call(url, await appJwt(t.app, installation, { method: 'GET', url }))).status, 200)
  await endInstallation(t.app, installation)
  ;(await t.app.revocations.recordSubject(t.app.db, 'user', installation.appUserId, { issuedBefore: 'all', expiresAt: FOREVER }))()
  refusal(await call(url, await appJwt(t.app, installation, { method: 'GET', url })), /revoked/)
  clock.advance(1.1)
  refusal(await call(url, await appJwt(t.app, installation, { method: 'GET', url })), /No installation has the clientKey/)
})

test('a disabled app is refused for every installation', async () => {
  const other = await addDescriptorApp(t.app, 'vendor-off', ['workspace'])
  const own = await createWorkspace(t.app.db, t.app.clock, { slug: 'vendor-off', members: [] })
  const installation = await installApp(t.app, other, own)
  await t.app.db.updateTable('apps').set({ disabled_at: clock.now() }).where('id', '=', other.id).execute()
  const url = '/2.0/workspaces/vendor-off'
  refusal(await call(url, await appJwt(t.app, installation, { method: 'GET', url })), /The app "vendor-off" is disabled/)
})

test('the previous shared secret works during its grace after a rotation, and not after', async () => {
  const before = await installed('rotated')
  const url = '/2.0/workspaces/rotated'
  assert.equal((await call(url, await appJwt(t.app, before, { method: 'GET', url }))).status, 200)
  const after = await rotateSharedSecret(t.app, before, clock.now() + 60_000)
  // At once, although the old secrets are cached: a signature that fails on cached secrets reads them again.
  assert.equal((await call(url, await appJwt(t.app, after, { method: 'GET', url }))).status, 200)
  assert.equal((await call(url, await appJwt(t.app, before, { method: 'GET', url }))).status, 200)
  clock.advance(61)
  refusal(await call(url, await appJwt(t.app, before, { method: 'GET', url })), /signature does not verify/)
  assert.equal((await call(url, await appJwt(t.app, after, { method: 'GET', url }))).status, 200)
})

test("the installation acts within the app's scopes and its own workspace only", async () => {
  const installation = await installed('scoped')
  const issues = '/2.0/repositories/scoped/hello/issues'
  const outOfScope = await call(issues, await appJwt(t.app, installation, { method: 'GET', url: issues }))
  assert.equal(outOfScope.status, 403)
  assert.equal(outOfScope.body.error.code, 'insufficient_scope')
  const elsewhere = await call('/2.0/workspaces/acme', await appJwt(t.app, installation, { method: 'GET', url: '/2.0/workspaces/acme' }))
  assert.equal(elsewhere.status, 404)
})

test('the refusal names the JWT form among the accepted credentials', async () => {
  const response = await t.app.inject({ url: '/2.0/user', headers: { authorization: 'Token abc' } })
  assert.equal(response.statusCode, 401)
  assert.match(response.json().error.message, /Authorization: JWT <app JWT signed with the installation's shared secret>/)
})
