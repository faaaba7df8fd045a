import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { changeInstallation } from '../../src/installations/installations.service.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { addDescriptorApp, allowApp, appJwt, impersonationAssertion, installApp, type DescriptorApp, type InstalledAppFixture } from '../support/installed-app.js'
import { acme, type Caller } from '../platform/fixtures.js'
import { createWorkspace } from '../../src/platform/index.js'

/**
 * What the lifecycle does to what the app → API part issued: disabling and uninstalling (the real
 * service) revoke the tokens of the JWT grant and of impersonation, which carry the installation's
 * grants, and refuse the app JWT at once.
 */

let t: TestApp
let grace: Caller
let helper: DescriptorApp
const admin = { id: null, isAdmin: true }

before(async () => {
  t = await startTestApp()
  ;({ grace } = await acme(t.app))
  helper = await addDescriptorApp(t.app, 'acme-helper', ['account', 'workspace', 'act_as_user'])
  // Grace allowed the app to act for her (consent), in every workspace it is installed in.
  await allowApp(t.app, helper, grace.id, ['account', 'workspace'])
})
after(() => t.close())

async function token(form: Record<string, string>, authorization?: string) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(authorization ? { authorization } : {}) },
    payload: new URLSearchParams(form).toString(),
  })
  return { status: response.statusCode, body: response.json() }
}

async function jwtGrant(installation: InstalledAppFixture) {
  return token({ grant_type: 'urn:bitbucket:oauth2:jwt' }, `JWT ${await appJwt(t.app, installation, { method: 'POST', url: '/oauth/token' })}`)
}

async function impersonation(installation: InstalledAppFixture) {
  return token({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: await impersonationAssertion(t.app, installation, { userId: grace.id }) })
}

async function status(url: string, authorization: string): Promise<number> {
  return (await t.app.inject({ url, headers: { authorization } })).statusCode
}

/** An installation in a workspace where grace is a member, so the app may act as her. */
async function installedWithGrace(slug: string): Promise<InstalledAppFixture> {
  const workspace = await createWorkspace(t.app.db, t.app.clock, { slug, members: [{ userId: grace.id, role: 'member' }] })
  return installApp(t.app, helper, workspace)
}

test('disabling revokes the tokens of the JWT grant and of impersonation, and refuses new ones until enabled', async () => {
  const installation = await installedWithGrace('to-disable')
  const asApp = (await jwtGrant(installation)).body
  const asGrace = (await impersonation(installation)).body
  assert.equal(await status('/2.0/workspaces/to-disable', `Bearer ${asApp.access_token}`), 200)
  assert.equal(await status('/2.0/user', `Bearer ${asGrace.access_token}`), 200)

  await changeInstallation(t.app.installedApps.installations, 'disable', { appKey: 'acme-helper', workspaceSlug: 'to-disable', actor: admin })
  assert.equal(await status('/2.0/workspaces/to-disable', `Bearer ${asApp.access_token}`), 401)
  assert.equal(await status('/2.0/user', `Bearer ${asGrace.access_token}`), 401)
  const refresh = await token({ grant_type: 'refresh_token', refresh_token: asApp.refresh_token }, `JWT ${await appJwt(t.app, installation, { method: 'POST', url: '/oauth/token' })}`)
  assert.equal(refresh.status, 401, 'the app JWT of a disabled installation authenticates nothing')
  assert.equal((await jwtGrant(installation)).status, 401)
  assert.equal((await impersonation(installation)).status, 400)

  await changeInstallation(t.app.installedApps.installations, 'enable', { appKey: 'acme-helper', workspaceSlug: 'to-disable', actor: admin })
  // Enabling lowers the app account's cutoff to "until now"; tokens are stamped in whole seconds.
  await new Promise((resolve) => setTimeout(resolve, 1100))
  const again = await jwtGrant(installation)
  assert.equal(again.status, 200, JSON.stringify(again.body))
  assert.equal(await status('/2.0/workspaces/to-disable', `Bearer ${again.body.access_token}`), 200)
})

test('uninstalling revokes every token the installation holds and refuses its app JWT at once', async () => {
  const installation = await installedWithGrace('to-uninstall')
  const asApp = (await jwtGrant(installation)).body
  const asGrace = (await impersonation(installation)).body
  const url = '/2.0/workspaces/to-uninstall'
  assert.equal(await status(url, `JWT ${await appJwt(t.app, installation, { method: 'GET', url })}`), 200)

  await changeInstallation(t.app.installedApps.installations, 'uninstall', { appKey: 'acme-helper', workspaceSlug: 'to-uninstall', actor: admin })
  assert.equal(await status(url, `JWT ${await appJwt(t.app, installation, { method: 'GET', url })}`), 401)
  assert.equal(await status(url, `Bearer ${asApp.access_token}`), 401)
  assert.equal(await status('/2.0/user', `Bearer ${asGrace.access_token}`), 401)
  const grants = await t.app.db.selectFrom('grants').select(['kind', 'revoked_reason']).where('installation_id', '=', installation.installationId).orderBy('kind').execute()
  assert.deepEqual(grants, [{ kind: 'impersonation', revoked_reason: 'app uninstalled' }, { kind: 'installation', revoked_reason: 'app uninstalled' }])
})
