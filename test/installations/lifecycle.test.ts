import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'
import { CallbackDeliverer } from '../../src/installations/callbacks.js'
import { registerDescriptor } from '../../src/installations/descriptors.service.js'
import { usableSharedSecrets } from '../../src/installations/installation-secrets.js'
import { changeInstallation, install, listDeliveries, rotateSharedSecret } from '../../src/installations/installations.service.js'
import { createWorkspace } from '../../src/platform/index.js'
import { createUser } from '../../src/users/users.service.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { startTestVendor, type TestVendor } from '../support/vendor.js'

let t: TestApp
let vendor: TestVendor
let ids: { acme: string; alice: string; bob: string }
let workspaceCount = 0

before(async () => {
  t = await startTestApp({}, { listen: true })
  // The test drives deliveries itself, with short retry delays.
  await t.app.installedApps.deliverer.stop()
  vendor = await startTestVendor(t.config.issuer)
  const { db, clock } = t.app
  const acme = await createUser(db, clock, { username: 'acme', password: 'vendor-password-1' })
  const alice = await createUser(db, clock, { username: 'alice', password: 'alice-password-1' })
  const bob = await createUser(db, clock, { username: 'bob', password: 'bob-password-1' })
  ids = { acme: acme.id, alice: alice.id, bob: bob.id }
})

after(async () => {
  await vendor?.close()
  await t?.close()
})

beforeEach(() => {
  vendor.received.length = 0
  vendor.answer = 204
})

/** A fresh workspace owned by alice with bob as a member, so each test starts with nothing installed. */
async function newWorkspace(): Promise<string> {
  const slug = `team-${++workspaceCount}`
  await createWorkspace(t.app.db, t.app.clock, { slug, members: [{ userId: ids.alice, role: 'owner' }, { userId: ids.bob, role: 'member' }] })
  return slug
}

async function register(overrides: Record<string, unknown> = {}) {
  return registerDescriptor(t.app.installedApps.descriptors, { document: vendor.descriptor(overrides) }, { ownerId: ids.acme, isAdmin: false })
}

const alice = () => ({ id: ids.alice, isAdmin: false })
const deps = () => t.app.installedApps.installations

function testDeliverer(retryDelaysMs: number[] = [0, 0]) {
  const { db, clock, connectKeys } = t.app
  return new CallbackDeliverer({ db, clock, connectKeys, requests: deps().requests }, { retryDelaysMs })
}

test('a descriptor registers a backing app; an update is a new version that names the scopes it adds', async () => {
  const first = await register({ key: 'versioned-app' })
  assert.equal(first.created, true)
  assert.equal(first.app.version, 1)
  const app = await t.app.db.selectFrom('apps').selectAll().where('client_id', '=', 'versioned-app').executeTakeFirstOrThrow()
  assert.equal(app.created_via, 'descriptor')
  assert.deepEqual(JSON.parse(app.scopes), ['account', 'repository'])

  const same = await register({ key: 'versioned-app' })
  assert.equal(same.changed, false)
  assert.equal(same.app.version, 1)

  const wider = await register({ key: 'versioned-app', scopes: ['account', 'repository', 'issue', 'act_as_user'] })
  assert.equal(wider.app.version, 2)
  assert.deepEqual(wider.addedScopes, ['issue', 'act_as_user'])
  const updated = await t.app.db.selectFrom('apps').select('scopes').where('client_id', '=', 'versioned-app').executeTakeFirstOrThrow()
  assert.deepEqual(JSON.parse(updated.scopes), ['account', 'repository', 'issue'], 'act_as_user stays in the descriptor: no API operation requires it')

  await assert.rejects(
    registerDescriptor(t.app.installedApps.descriptors, { document: vendor.descriptor({ key: 'versioned-app' }) }, { ownerId: ids.bob, isAdmin: false }),
    /published by acme; only its owner or an administrator may update/,
  )
})

test('an invalid descriptor is refused with every problem, each naming the field', async () => {
  await assert.rejects(
    registerDescriptor(t.app.installedApps.descriptors, { document: vendor.descriptor({ key: 'Bad Key', scopes: ['everything'], modules: { pages: [] } }) }, { ownerId: ids.acme, isAdmin: false }),
    (error: Error) => {
      assert.match(error.message, /key: expected lower-case letters/)
      assert.match(error.message, /scopes\[0\]: expected/)
      assert.match(error.message, /modules\.pages: expected a list with at least one page module/)
      return true
    },
  )
})

test('a descriptor is fetched from its URL; an unreachable or non-JSON one says why', async () => {
  vendor.serveDescriptor(vendor.descriptor({ key: 'fetched-app' }))
  const fetched = await registerDescriptor(t.app.installedApps.descriptors, { url: `${vendor.baseUrl}/descriptor.json` }, { ownerId: ids.acme, isAdmin: false })
  assert.equal(fetched.app.sourceUrl, `${vendor.baseUrl}/descriptor.json`)
  vendor.serveDescriptor(vendor.descriptor({ key: 'renamed-app' }))
  await assert.rejects(
    registerDescriptor(t.app.installedApps.descriptors, { url: `${vendor.baseUrl}/descriptor.json`, key: 'fetched-app' }, { ownerId: ids.acme, isAdmin: false }),
    /now has the key "renamed-app", not "fetched-app"; a new key is a new app/,
  )
  vendor.serveDescriptor('not json')
  await assert.rejects(registerDescriptor(t.app.installedApps.descriptors, { url: `${vendor.baseUrl}/descriptor.json` }, { ownerId: ids.acme, isAdmin: false }), /is not JSON/)
  vendor.serveDescriptor({}, 404)
  await assert.rejects(registerDescriptor(t.app.installedApps.descriptors, { url: `${vendor.baseUrl}/descriptor.json` }, { ownerId: ids.acme, isAdmin: false }), /it answered 404, expected 200/)
})

test('install sends a signed installed callback a standard JWT library verifies, then the installation exists', async () => {
  await register({ key: 'signed-app' })
  const slug = await newWorkspace()
  const result = await install(deps(), { appKey: 'signed-app', workspaceSlug: slug, actor: alice() })

  assert.equal(vendor.received.length, 1)
  const [callback] = vendor.received
  assert.equal(callback.path, '/installed')
  assert.ok(callback.verified.ok, callback.verified.ok ? '' : callback.verified.reason)
  assert.equal(callback.verified.claims.iss, t.config.issuer)
  const pem = await fetch(`${t.config.issuer}/connect/keys/${callback.verified.kid}`)
  assert.match(await pem.text(), /BEGIN PUBLIC KEY/)

  const body = callback.body
  assert.equal(body.key, 'signed-app')
  assert.equal(body.eventType, 'installed')
  assert.equal(body.clientKey, result.installation.clientKey)
  assert.equal(body.oauthClientId, result.installation.oauthClientId)
  assert.equal(body.baseUrl, t.config.issuer)
  assert.equal(typeof body.sharedSecret, 'string')
  assert.ok((body.sharedSecret as string).length >= 32)
  assert.equal(body.productType, 'gatehouse')
  for (const field of ['displayUrl', 'description']) assert.equal(typeof body[field], 'string')

  const row = await t.app.db.selectFrom('installations').selectAll().where('id', '=', result.installation.id).executeTakeFirstOrThrow()
  assert.equal(row.state, 'installed')
  assert.notEqual(row.shared_secret_sealed, body.sharedSecret, 'the secret is sealed at rest')
  assert.deepEqual(usableSharedSecrets(t.app.keyEncryption.keyring, row, t.app.clock), [body.sharedSecret])
  const account = await t.app.db.selectFrom('users').selectAll().where('id', '=', row.app_user_id!).executeTakeFirstOrThrow()
  assert.equal(account.kind, 'app')
  const membership = await t.app.db.selectFrom('workspace_members').innerJoin('workspaces', 'workspaces.id', 'workspace_members.workspace_id').select('role').where('user_id', '=', account.id).where('workspaces.slug', '=', slug).executeTakeFirst()
  assert.equal(membership?.role, 'member')

  const [logged] = await listDeliveries(t.app.db, result.app.appId)
  assert.equal(logged.state, 'delivered')
  assert.equal((logged.payload as Record<string, unknown>).sharedSecret, '(sent, not stored)', 'the log never keeps the secret')
})

test('an install the app refuses leaves nothing behind and says what the app answered', async () => {
  await register({ key: 'refusing-app' })
  const slug = await newWorkspace()
  const usersBefore = await t.app.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  vendor.answer = 500
  await assert.rejects(install(deps(), { appKey: 'refusing-app', workspaceSlug: slug, actor: alice() }), (error: Error & { status?: number }) => {
    assert.equal(error.status, 502)
    assert.match(error.message, /was not installed: its installed callback to http:\/\/127\.0\.0\.1:\d+\/installed did not succeed \(the app answered 500: \{"error":"the vendor says no"\}\)\. Nothing was installed/)
    return true
  })
  const app = await t.app.db.selectFrom('apps').select('id').where('client_id', '=', 'refusing-app').executeTakeFirstOrThrow()
  assert.equal((await t.app.db.selectFrom('installations').select('id').where('app_id', '=', app.id).execute()).length, 0)
  const usersAfter = await t.app.db.selectFrom('users').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()
  assert.equal(Number(usersAfter.n), Number(usersBefore.n))

  vendor.answer = 200
  const retried = await install(deps(), { appKey: 'refusing-app', workspaceSlug: slug, actor: alice() })
  assert.equal(retried.installation.state, 'installed')
})

test('only a workspace owner or an administrator installs; each blocked precondition says what to change', async () => {
  await register({ key: 'guarded-app' })
  const slug = await newWorkspace()
  await assert.rejects(install(deps(), { appKey: 'guarded-app', workspaceSlug: slug, actor: { id: ids.bob, isAdmin: false } }), /only an owner of workspace team-\d+ or an administrator may install apps into it; ask alice/)
  await assert.rejects(install(deps(), { appKey: 'no-such-app', workspaceSlug: slug, actor: alice() }), /no installed app has the key "no-such-app"; register its descriptor first/)
  await assert.rejects(install(deps(), { appKey: 'guarded-app', workspaceSlug: 'nowhere', actor: alice() }), /no workspace has the slug "nowhere"/)
  await t.app.db.updateTable('apps').set({ disabled_at: Date.now() }).where('client_id', '=', 'guarded-app').execute()
  await assert.rejects(install(deps(), { appKey: 'guarded-app', workspaceSlug: slug, actor: alice() }), /is disabled, so it cannot be installed; an administrator enables it/)
  await t.app.db.updateTable('apps').set({ disabled_at: null }).where('client_id', '=', 'guarded-app').execute()
  await install(deps(), { appKey: 'guarded-app', workspaceSlug: slug, actor: { id: ids.bob, isAdmin: true } })
  await assert.rejects(install(deps(), { appKey: 'guarded-app', workspaceSlug: slug, actor: alice() }), /already installed in team-\d+/)
  assert.equal(vendor.received.length, 1, 'a refused install never calls the app')
})

test('callbacks to private addresses are refused unless the deployment allows them', async () => {
  const guarded = await startTestApp({ host: '0.0.0.0' }, { listen: true })
  try {
    await guarded.app.installedApps.deliverer.stop()
    const owner = await createUser(guarded.app.db, guarded.app.clock, { username: 'owner', password: 'owner-password-1' })
    await createWorkspace(guarded.app.db, guarded.app.clock, { slug: 'ssrf', members: [{ userId: owner.id, role: 'owner' }] })
    await assert.rejects(
      registerDescriptor(guarded.app.installedApps.descriptors, { document: vendor.descriptor({ key: 'inner-app' }) }, { ownerId: owner.id, isAdmin: false }),
      /baseUrl: expected an absolute https URL/,
      'http is for loopback development only',
    )
    vendor.serveDescriptor(vendor.descriptor({ key: 'inner-app' }))
    await assert.rejects(
      registerDescriptor(guarded.app.installedApps.descriptors, { url: `${vendor.baseUrl}/descriptor.json` }, { ownerId: owner.id, isAdmin: false }),
      /resolves to 127\.0\.0\.1, a loopback address in 127\.0\.0\.0\/8; callbacks reach only public addresses unless GATEHOUSE_CALLBACK_ALLOWLIST/,
    )
    await assert.rejects(
      registerDescriptor(guarded.app.installedApps.descriptors, { url: 'http://169.254.169.254/latest/meta-data' }, { ownerId: owner.id, isAdmin: false }),
      /a link-local address \(where cloud metadata services answer\)/,
    )
  } finally {
    await guarded.close()
  }
})

test('a redirect from the app is its answer, never followed', async () => {
  await register({ key: 'redirecting-app' })
  const slug = await newWorkspace()
  vendor.answer = 302
  await assert.rejects(install(deps(), { appKey: 'redirecting-app', workspaceSlug: slug, actor: alice() }), /the app answered 302 \(a redirect, which is not followed\)/)
})

test('uninstall, disable and enable are delivered in order per installation; uninstall revokes and ends the account', async () => {
  await register({ key: 'ordered-app' })
  const slug = await newWorkspace()
  const installed = await install(deps(), { appKey: 'ordered-app', workspaceSlug: slug, actor: alice() })
  vendor.received.length = 0
  vendor.answer = 503
  const deliverer = testDeliverer([0, 0, 0, 0])
  await changeInstallation(deps(), 'disable', { appKey: 'ordered-app', workspaceSlug: slug, actor: alice() })
  await changeInstallation(deps(), 'enable', { appKey: 'ordered-app', workspaceSlug: slug, actor: alice() })
  await changeInstallation(deps(), 'uninstall', { appKey: 'ordered-app', workspaceSlug: slug, actor: alice() })
  await deliverer.deliverDue()
  await deliverer.deliverDue()
  assert.deepEqual(vendor.received.map((c) => c.path), ['/disabled', '/disabled'], 'while the first is being retried, nothing overtakes it')
  vendor.answer = 204
  for (let i = 0; i < 4; i++) await deliverer.deliverDue()
  assert.deepEqual(vendor.received.map((c) => c.path), ['/disabled', '/disabled', '/disabled', '/enabled', '/uninstalled'])
  assert.ok(vendor.received.every((c) => c.verified.ok))
  assert.deepEqual(vendor.received.map((c) => c.body.eventType), ['disabled', 'disabled', 'disabled', 'enabled', 'uninstalled'])
  assert.equal(vendor.received[4].body.clientKey, installed.installation.clientKey)
  assert.equal(vendor.received[4].body.sharedSecret, undefined)

  const row = await t.app.db.selectFrom('installations').selectAll().where('id', '=', installed.installation.id).executeTakeFirstOrThrow()
  assert.equal(row.state, 'uninstalled')
  assert.equal(row.shared_secret_sealed, null, 'an ended installation keeps no secret')
  const memberships = await t.app.db.selectFrom('workspace_members').select('user_id').where('user_id', '=', row.app_user_id!).execute()
  assert.equal(memberships.length, 0)
  const log = await listDeliveries(t.app.db, installed.app.appId)
  assert.deepEqual(log.map((d) => `${d.sequence}:${d.event}:${d.state}`), ['4:uninstalled:delivered', '3:enabled:delivered', '2:disabled:delivered', '1:installed:delivered'])
  assert.equal(log[2].attempts, 3)
  assert.equal(log[2].lastStatus, 204)
})

test('two changes at once: one wins, the other is refused, and callbacks follow the order of the changes', async () => {
  await register({ key: 'racing-app' })
  const slug = await newWorkspace()
  await install(deps(), { appKey: 'racing-app', workspaceSlug: slug, actor: alice() })
  vendor.received.length = 0
  const outcomes = await Promise.allSettled([
    changeInstallation(deps(), 'disable', { appKey: 'racing-app', workspaceSlug: slug, actor: alice() }),
    changeInstallation(deps(), 'uninstall', { appKey: 'racing-app', workspaceSlug: slug, actor: alice() }),
  ])
  assert.ok(outcomes.some((o) => o.status === 'fulfilled'))
  for (const o of outcomes) if (o.status === 'rejected') assert.match(String(o.reason), /changed while this|already|not installed/)
  const deliverer = testDeliverer()
  await deliverer.deliverDue()
  await deliverer.deliverDue()
  const events = vendor.received.map((c) => c.body.eventType)
  assert.equal(events.at(-1), 'uninstalled', 'nothing is delivered after uninstalled')
  await assert.rejects(changeInstallation(deps(), 'enable', { appKey: 'racing-app', workspaceSlug: slug, actor: alice() }), /racing-app is not installed in team-\d+/)
})

test('a delivery that keeps failing is marked failed after its retries, and the next one goes', async () => {
  await register({ key: 'failing-app' })
  const slug = await newWorkspace()
  const installed = await install(deps(), { appKey: 'failing-app', workspaceSlug: slug, actor: alice() })
  vendor.answer = (callback) => (callback.path === '/disabled' ? 500 : 204)
  const deliverer = testDeliverer([0, 0])
  await changeInstallation(deps(), 'disable', { appKey: 'failing-app', workspaceSlug: slug, actor: alice() })
  await changeInstallation(deps(), 'uninstall', { appKey: 'failing-app', workspaceSlug: slug, actor: alice() })
  for (let i = 0; i < 5; i++) await deliverer.deliverDue()
  const log = await listDeliveries(t.app.db, installed.app.appId)
  assert.deepEqual(log.map((d) => `${d.event}:${d.state}:${d.attempts}`), ['uninstalled:delivered:1', 'disabled:failed:3', 'installed:delivered:1'])
  assert.match(log[1].lastError ?? '', /the app answered 500/)
})

test('reinstalling keeps the clientKey and gives a new oauthClientId and account', async () => {
  await register({ key: 'returning-app' })
  const slug = await newWorkspace()
  const first = await install(deps(), { appKey: 'returning-app', workspaceSlug: slug, actor: alice() })
  await changeInstallation(deps(), 'uninstall', { appKey: 'returning-app', workspaceSlug: slug, actor: alice() })
  const second = await install(deps(), { appKey: 'returning-app', workspaceSlug: slug, actor: alice() })
  assert.equal(second.installation.clientKey, first.installation.clientKey)
  assert.notEqual(second.installation.oauthClientId, first.installation.oauthClientId)
  assert.notEqual(second.installation.appUserId, first.installation.appUserId)
  const other = await install(deps(), { appKey: 'returning-app', workspaceSlug: await newWorkspace(), actor: alice() })
  assert.notEqual(other.installation.clientKey, first.installation.clientKey, 'another workspace is another tenant')
})

test('rotating the shared secret sends it in a signed installed callback; the old one works for the grace period', async () => {
  await register({ key: 'rotating-app' })
  const slug = await newWorkspace()
  await install(deps(), { appKey: 'rotating-app', workspaceSlug: slug, actor: alice() })
  const oldSecret = vendor.received[0].body.sharedSecret
  const rotated = await rotateSharedSecret(deps(), { appKey: 'rotating-app', workspaceSlug: slug, actor: alice() })
  assert.equal(vendor.received.length, 2)
  assert.ok(vendor.received[1].verified.ok)
  const newSecret = vendor.received[1].body.sharedSecret
  assert.notEqual(newSecret, oldSecret)
  assert.equal(vendor.received[1].body.clientKey, rotated.installation.clientKey)
  const row = await t.app.db.selectFrom('installations').selectAll().where('id', '=', rotated.installation.id).executeTakeFirstOrThrow()
  assert.deepEqual(usableSharedSecrets(t.app.keyEncryption.keyring, row, t.app.clock), [newSecret, oldSecret])
  assert.deepEqual(usableSharedSecrets(t.app.keyEncryption.keyring, row, { now: () => rotated.previousSecretExpiresAt + 1 }), [newSecret])

  vendor.answer = 500
  await assert.rejects(rotateSharedSecret(deps(), { appKey: 'rotating-app', workspaceSlug: slug, actor: alice() }), /the secret was not rotated/)
  const unchanged = await t.app.db.selectFrom('installations').selectAll().where('id', '=', rotated.installation.id).executeTakeFirstOrThrow()
  assert.deepEqual(usableSharedSecrets(t.app.keyEncryption.keyring, unchanged, t.app.clock)[0], newSecret)
})
