import { getInstalledApp } from '../../src/installations/descriptors.service.js'
import { decide } from '../../src/consent/decisions.service.js'
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { DEMO_VENDOR_KEY, pageModuleSrc, REPORTS_PAGE } from '../../src/demo-vendor/index.js'
import type { CallRecord } from '../../src/demo-vendor/installation-store.js'
import { pageModuleFrame, viewWorkspace } from '../../src/installations/console.service.js'
import { registerDescriptor } from '../../src/installations/descriptors.service.js'
import { usableSharedSecrets } from '../../src/installations/installation-secrets.js'
import { changeInstallation, install } from '../../src/installations/installations.service.js'
import { createRepository, createWorkspace } from '../../src/platform/index.js'
import { createUser } from '../../src/users/users.service.js'
import { startVendor, type VendorFixture } from './fixtures.js'

/**
 * The demo vendor against the real platform, all over HTTP in one process: its descriptor is
 * registered from its URL, a workspace owner installs it (the platform's signed `installed` reaches
 * the vendor, which verifies it against /connect/keys), the page module is shown to a member, and
 * from it the app calls the API with an app JWT, the JWT grant and impersonation.
 */

let v: VendorFixture
let ids: { vendor: string; alice: string; bob: string }
let clientKey: string

before(async () => {
  v = await startVendor()
  const { db, clock } = v.app
  const vendor = await createUser(db, clock, { username: 'vendor', password: 'vendor-password-1' })
  const alice = await createUser(db, clock, { username: 'alice', password: 'alice-password-1', displayName: 'Alice' })
  const bob = await createUser(db, clock, { username: 'bob', password: 'bob-password-1', displayName: 'Bob' })
  ids = { vendor: vendor.id, alice: alice.id, bob: bob.id }
  const workspace = await createWorkspace(db, clock, { slug: 'team', name: 'The team', members: [{ userId: alice.id, role: 'owner' }, { userId: bob.id, role: 'member' }] })
  await createRepository(db, clock, { workspaceId: workspace.id, slug: 'website', name: 'Website', description: '', isPrivate: true })
})

after(() => v.close())

test('the descriptor registers from the vendor\'s URL, and installing delivers a signed installed callback the vendor verifies and stores', async () => {
  const registration = await registerDescriptor(v.app.installedApps.descriptors, { url: `${v.baseUrl}/descriptor.json` }, { ownerId: ids.vendor, isAdmin: false })
  assert.equal(registration.app.key, DEMO_VENDOR_KEY)
  assert.equal(registration.app.descriptor.baseUrl, v.baseUrl)

  const { installation, callback } = await install(v.app.installedApps.installations, { appKey: DEMO_VENDOR_KEY, workspaceSlug: 'team', actor: { id: ids.alice, isAdmin: false } })
  assert.equal(callback.delivered, true)
  clientKey = installation.clientKey

  const stored = v.installation(clientKey)!
  assert.equal(stored.oauthClientId, installation.oauthClientId)
  assert.equal(stored.platformBaseUrl, v.issuer)
  assert.deepEqual(stored.workspace, { slug: 'team', name: 'The team' })
  assert.equal(stored.state, 'enabled')
  const row = await v.app.db.selectFrom('installations').selectAll().where('id', '=', installation.id).executeTakeFirstOrThrow()
  assert.deepEqual(usableSharedSecrets(v.app.keyEncryption.keyring, row, v.app.clock), [stored.sharedSecret], 'the vendor holds the secret the platform sealed')
})

test('the iframe src the platform makes for the page module (console.service) is one the vendor accepts, for the member looking', async () => {
  const bob = { id: ids.bob, username: 'bob', displayName: 'Bob', isAdmin: false }
  const view = await viewWorkspace(v.app.db, bob, 'team')
  const frame = await pageModuleFrame({ db: v.app.db, clock: v.app.clock, keyring: v.app.keyEncryption.keyring }, view, { appKey: DEMO_VENDOR_KEY, moduleKey: REPORTS_PAGE.key, userId: bob.id })
  assert.equal(frame.origin, new URL(v.issuer).origin)
  const response = await fetch(frame.src)
  const html = await response.text()
  assert.equal(response.status, 200, html)
  assert.match(html, new RegExp(`user <code>${ids.bob}</code>`))
})

test('the page module, shown to a workspace member, calls the API three ways and each succeeds', async () => {
  const installation = v.installation(clientKey)!
  const src = await pageModuleSrc({ appKey: DEMO_VENDOR_KEY, appBaseUrl: v.baseUrl, moduleUrl: REPORTS_PAGE.url, clientKey, sharedSecret: installation.sharedSecret!, userId: ids.bob, now: Date.now() })
  const page = await fetch(src)
  const html = await page.text()
  assert.equal(page.status, 200, html)
  assert.match(html, /The team \(<code>team<\/code>\)/)
  const token = /name="token" value="([^"]+)"/.exec(html)![1]

  const call = async (method: CallRecord['method']): Promise<CallRecord> => {
    const response = await fetch(`${v.baseUrl}${REPORTS_PAGE.url}/calls`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ method, token }).toString() })
    assert.equal(response.status, 200, await response.text())
    const [latest] = v.installation(clientKey)!.calls
    assert.equal(latest.method, method)
    return latest
  }
  const explain = (record: CallRecord) => record.steps.map((s) => `${s.request.split('\n')[0]} → ${s.status}\n${s.response}`).join('\n')

  // 1. App JWT: acts as the installation's app account, a member of the workspace only.
  const appJwt = await call('app-jwt')
  assert.ok(appJwt.ok, explain(appJwt))
  const workspaces = JSON.parse(appJwt.steps[0].response) as { values: { slug: string }[] }
  assert.deepEqual(workspaces.values.map((w) => w.slug), ['team'])

  // 2. JWT grant: an access token acting as the installation, then the workspace's repositories.
  const grant = await call('jwt-grant')
  assert.ok(grant.ok, explain(grant))
  assert.equal(grant.steps[0].claims!.iss, clientKey)
  assert.match(grant.steps[0].response, /"access_token": "eyJ[^"]*…\(masked\)"/)
  assert.ok(grant.steps[1].request.startsWith(`GET ${v.issuer}/2.0/repositories/team\n`))
  assert.deepEqual((JSON.parse(grant.steps[1].response) as { values: { slug: string }[] }).values.map((r) => r.slug), ['website'])

  // 3. Impersonation: a token acting as bob, the viewing user — once he has allowed the app (the consent
  // dialog records the same decision; test/consent/bridge-browser.test.ts goes through it).
  const refusedBeforeConsent = await call('impersonation')
  assert.equal(refusedBeforeConsent.ok, false, 'no approval, no impersonation')
  await decide(v.app.consent, { userId: ids.bob, app: { id: (await getInstalledApp(v.app.db, DEMO_VENDOR_KEY)).appId, ownerId: ids.vendor }, installationId: null, perInstallation: false, decision: 'allow', scopes: ['read:user', 'read:workspace', 'read:repository'] })
  const asBob = await call('impersonation')
  assert.ok(asBob.ok, explain(asBob))
  assert.equal(asBob.steps[0].claims!.sub, `urn:gatehouse:useraccountid:${ids.bob}`)
  assert.equal(asBob.steps[0].claims!.iss, `urn:gatehouse:clientid:${v.installation(clientKey)!.oauthClientId}`)
  assert.equal((JSON.parse(asBob.steps[1].response) as { username: string }).username, 'bob')
})

test('uninstalling delivers the uninstalled callback in the background: the vendor forgets the secret, and the page refuses', async () => {
  const secret = v.installation(clientKey)!.sharedSecret!
  await changeInstallation(v.app.installedApps.installations, 'uninstall', { appKey: DEMO_VENDOR_KEY, workspaceSlug: 'team', actor: { id: ids.alice, isAdmin: false } })
  const deadline = Date.now() + 10_000
  while (v.installation(clientKey)!.state !== 'uninstalled' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(v.installation(clientKey)!.state, 'uninstalled')
  assert.equal(v.installation(clientKey)!.sharedSecret, null)
  const src = await pageModuleSrc({ appKey: DEMO_VENDOR_KEY, appBaseUrl: v.baseUrl, moduleUrl: REPORTS_PAGE.url, clientKey, sharedSecret: secret, userId: ids.bob, now: Date.now() })
  assert.equal((await fetch(src)).status, 401)
})
