import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { consentOutcome, decide, listDecisionsOfUser } from '../../src/consent/decisions.service.js'
import { registerDescriptor } from '../../src/installations/descriptors.service.js'
import { install, upgradeInstallation } from '../../src/installations/installations.service.js'
import { createWorkspace } from '../../src/platform/index.js'
import { createUser } from '../../src/users/users.service.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { startTestVendor, type TestVendor } from '../support/vendor.js'

let t: TestApp
let vendor: TestVendor
let ids: { acme: string; owner: string; pat: string }

before(async () => {
  t = await startTestApp({}, { listen: true })
  await t.app.installedApps.deliverer.stop()
  vendor = await startTestVendor(t.config.issuer, 'consent-app')
  const { db, clock } = t.app
  const acme = await createUser(db, clock, { username: 'acme', password: 'vendor-password-1' })
  const owner = await createUser(db, clock, { username: 'olive', password: 'olive-password-1' })
  const pat = await createUser(db, clock, { username: 'pat', password: 'pat-password-12' })
  ids = { acme: acme.id, owner: owner.id, pat: pat.id }
  for (const slug of ['east', 'west']) await createWorkspace(db, clock, { slug, members: [{ userId: owner.id, role: 'owner' }, { userId: pat.id, role: 'member' }] })
})

after(async () => {
  await vendor?.close()
  await t?.close()
})

async function register(key: string, approval: 'shared' | 'per-installation', scopes: string[]) {
  return registerDescriptor(t.app.installedApps.descriptors, { document: vendor.descriptor({ key, approval, scopes }) }, { ownerId: ids.acme, isAdmin: false })
}

async function installIn(key: string, slug: string) {
  return (await install(t.app.installedApps.installations, { appKey: key, workspaceSlug: slug, actor: { id: ids.owner, isAdmin: false } })).installation
}

test("a shared app: one approval for every installation; a new version asking for more ends everyone's", async () => {
  const { app } = await register('shared-app', 'shared', ['account'])
  const east = await installIn('shared-app', 'east')
  const west = await installIn('shared-app', 'west')
  const subject = (installationId: string) => ({ userId: ids.pat, app: { id: app.appId, ownerId: ids.acme }, installationId, perInstallation: false })
  assert.equal((await consentOutcome(t.app.consent, { ...subject(east.id), scopes: ['account'] })).outcome, 'ask')
  await decide(t.app.consent, { ...subject(east.id), decision: 'allow', scopes: ['account'] })
  assert.equal((await consentOutcome(t.app.consent, { ...subject(west.id), scopes: ['account'] })).outcome, 'allow', 'valid for every installation')

  await register('shared-app', 'shared', ['account', 'repository'])
  assert.deepEqual(await listDecisionsOfUser(t.app.db, ids.pat), [], 'the approval of the older version ended')
  assert.equal((await consentOutcome(t.app.consent, { ...subject(west.id), scopes: ['account', 'repository'] })).outcome, 'ask')
})

test('a classic add-on: approved per installation; upgrading one installation ends only its approvals; denials survive', async () => {
  const { app } = await register('classic-app', 'per-installation', ['account'])
  const east = await installIn('classic-app', 'east')
  const west = await installIn('classic-app', 'west')
  const subject = (installationId: string) => ({ userId: ids.pat, app: { id: app.appId, ownerId: ids.acme }, installationId, perInstallation: true })
  await decide(t.app.consent, { ...subject(east.id), decision: 'allow', scopes: ['account'] })
  assert.equal((await consentOutcome(t.app.consent, { ...subject(west.id), scopes: ['account'] })).outcome, 'ask', 'the same add-on in another workspace is approved separately')
  await decide(t.app.consent, { ...subject(west.id), decision: 'allow', scopes: ['account'] })
  const listed = await listDecisionsOfUser(t.app.db, ids.pat)
  assert.deepEqual(listed.map((d) => d.installation?.workspaceSlug).sort(), ['east', 'west'])

  await register('classic-app', 'per-installation', ['account', 'issue'])
  assert.equal((await listDecisionsOfUser(t.app.db, ids.pat)).length, 2, 'a new version changes nothing until an installation is upgraded')
  const upgraded = await upgradeInstallation(t.app.installedApps.installations, { appKey: 'classic-app', workspaceSlug: 'east', actor: { id: ids.owner, isAdmin: false } })
  assert.equal(upgraded.approvalsEnded, 1)
  assert.deepEqual((await listDecisionsOfUser(t.app.db, ids.pat)).map((d) => d.installation?.workspaceSlug), ['west'])

  await decide(t.app.consent, { ...subject(east.id), decision: 'deny', scopes: ['account', 'issue'] })
  await register('classic-app', 'per-installation', ['account', 'issue', 'repository'])
  await upgradeInstallation(t.app.installedApps.installations, { appKey: 'classic-app', workspaceSlug: 'east', actor: { id: ids.owner, isAdmin: false } })
  assert.equal((await consentOutcome(t.app.consent, { ...subject(east.id), scopes: ['account'] })).outcome, 'deny', 'only the person ends a denial')
})
