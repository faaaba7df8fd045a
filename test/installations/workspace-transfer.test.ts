import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'
import { CallbackDeliverer } from '../../src/installations/callbacks.js'
import { registerDescriptor } from '../../src/installations/descriptors.service.js'
import { changeInstallation, install, listInstallations } from '../../src/installations/installations.service.js'
import { exportWorkspace, importWorkspace, restoreWorkspace } from '../../src/installations/workspace-transfer.js'
import { createIssue, createRepository, createWorkspace } from '../../src/platform/index.js'
import { createUser } from '../../src/users/users.service.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { startTestVendor, type TestVendor } from '../support/vendor.js'

let t: TestApp
let vendor: TestVendor
let ownerId: string
let count = 0

before(async () => {
  t = await startTestApp({}, { listen: true })
  await t.app.installedApps.deliverer.stop()
  vendor = await startTestVendor(t.config.issuer, 'lineage-app')
  const owner = await createUser(t.app.db, t.app.clock, { username: 'olga', password: 'olga-password-1' })
  ownerId = owner.id
  await registerDescriptor(t.app.installedApps.descriptors, { document: vendor.descriptor() }, { ownerId, isAdmin: false })
})

after(async () => {
  await vendor?.close()
  await t?.close()
})

beforeEach(() => {
  vendor.received.length = 0
  vendor.answer = 204
})

const deps = () => t.app.installedApps.installations
const transferDeps = () => ({ db: t.app.db, clock: t.app.clock, revocations: t.app.revocations, accessTokenTtlSeconds: t.config.accessTokenTtlSeconds })
const actor = () => ({ id: ownerId, isAdmin: false })

/** A workspace with a repository, an issue, and the app installed. */
async function populatedWorkspace() {
  const slug = `site-${++count}`
  const workspace = await createWorkspace(t.app.db, t.app.clock, { slug, name: `Site ${count}`, members: [{ userId: ownerId, role: 'owner' }] })
  const repo = await createRepository(t.app.db, t.app.clock, { workspaceId: workspace.id, slug: 'web', name: 'Web' })
  await createIssue(t.app.db, t.app.clock, { repositoryId: repo.id, reporterId: ownerId, title: 'It breaks' })
  const installed = await install(deps(), { appKey: 'lineage-app', workspaceSlug: slug, actor: actor() })
  vendor.received.length = 0
  return { slug, workspace, installed }
}

async function deliverAll() {
  const deliverer = new CallbackDeliverer({ db: t.app.db, clock: t.app.clock, connectKeys: t.app.connectKeys, requests: deps().requests }, { retryDelaysMs: [0] })
  for (let i = 0; i < 3; i++) await deliverer.deliverDue()
}

test('import over a workspace removes its installations without callbacks; installing again gives new identifiers and the previous clientKey', async () => {
  const { slug, installed } = await populatedWorkspace()
  const exported = await exportWorkspace(t.app.db, t.app.clock, t.config.issuer, slug)
  assert.equal(exported.installations[0].clientKey, installed.installation.clientKey)
  assert.equal(JSON.stringify(exported).includes('sharedSecret'), false)

  const result = await importWorkspace(transferDeps(), JSON.parse(JSON.stringify(exported)), { slug })
  assert.deepEqual(result.removedInstallations, [{ appKey: 'lineage-app', clientKey: installed.installation.clientKey }])
  assert.notEqual(result.workspace.tenantId, exported.workspace.tenantId)
  assert.equal(result.repositories, 1)
  assert.equal(result.issues, 1)
  await deliverAll()
  assert.equal(vendor.received.length, 0, 'a removal by import sends no uninstall callback')
  const removed = await t.app.db.selectFrom('installations').selectAll().where('id', '=', installed.installation.id).executeTakeFirstOrThrow()
  assert.equal(removed.state, 'removed')
  assert.equal(removed.shared_secret_sealed, null)
  assert.equal((await t.app.db.selectFrom('workspace_members').select('user_id').where('user_id', '=', removed.app_user_id!).execute()).length, 0)

  const again = await install(deps(), { appKey: 'lineage-app', workspaceSlug: slug, actor: actor() })
  assert.notEqual(again.installation.clientKey, installed.installation.clientKey)
  assert.notEqual(again.installation.oauthClientId, installed.installation.oauthClientId)
  assert.equal(again.installation.previousClientKey, installed.installation.clientKey)
  const [callback] = vendor.received
  assert.ok(callback.verified.ok, 'previousClientKey travels inside the signed request')
  assert.equal(callback.body.previousClientKey, installed.installation.clientKey)

  const lineage = await listInstallations(t.app.db, { appId: again.app.appId, includeEnded: true })
  const here = lineage.filter((i) => i.workspaceSlug === slug)
  assert.deepEqual(here.map((i) => [i.state, i.clientKey, i.previousClientKey]), [
    ['installed', again.installation.clientKey, installed.installation.clientKey],
    ['removed', installed.installation.clientKey, null],
  ])
})

test('import into a new workspace copies the content as a new tenant that remembers where it came from', async () => {
  const { slug, installed } = await populatedWorkspace()
  const exported = await exportWorkspace(t.app.db, t.app.clock, t.config.issuer, slug)
  const copy = await importWorkspace(transferDeps(), exported, { slug: `${slug}-copy` })
  assert.equal(copy.created, true)
  assert.equal(copy.workspace.previousTenantId, exported.workspace.tenantId)
  const issues = await t.app.db.selectFrom('issues').innerJoin('repositories', 'repositories.id', 'issues.repository_id').select('issues.title').where('repositories.workspace_id', '=', copy.workspace.id).execute()
  assert.deepEqual(issues.map((i) => i.title), ['It breaks'])
  const source = await t.app.db.selectFrom('installations').select('state').where('id', '=', installed.installation.id).executeTakeFirstOrThrow()
  assert.equal(source.state, 'installed', 'the source workspace keeps its installation')
  const inCopy = await install(deps(), { appKey: 'lineage-app', workspaceSlug: `${slug}-copy`, actor: actor() })
  assert.equal(inCopy.installation.previousClientKey, installed.installation.clientKey)
  assert.notEqual(inCopy.installation.clientKey, installed.installation.clientKey)
})

test('restore keeps the identity and installations, and replaces the content', async () => {
  const { slug, workspace, installed } = await populatedWorkspace()
  const backup = await exportWorkspace(t.app.db, t.app.clock, t.config.issuer, slug)
  const repo = await t.app.db.selectFrom('repositories').select('id').where('workspace_id', '=', workspace.id).executeTakeFirstOrThrow()
  await createIssue(t.app.db, t.app.clock, { repositoryId: repo.id, reporterId: ownerId, title: 'After the backup' })

  const restored = await restoreWorkspace(transferDeps(), backup, {})
  assert.equal(restored.keptInstallations, 1)
  assert.equal(restored.workspace.tenantId, backup.workspace.tenantId)
  const titles = await t.app.db.selectFrom('issues').innerJoin('repositories', 'repositories.id', 'issues.repository_id').select('issues.title').where('repositories.workspace_id', '=', workspace.id).execute()
  assert.deepEqual(titles.map((i) => i.title), ['It breaks'])
  const row = await t.app.db.selectFrom('installations').select('state').where('id', '=', installed.installation.id).executeTakeFirstOrThrow()
  assert.equal(row.state, 'installed')

  await changeInstallation(deps(), 'uninstall', { appKey: 'lineage-app', workspaceSlug: slug, actor: actor() })
  const reinstalled = await install(deps(), { appKey: 'lineage-app', workspaceSlug: slug, actor: actor() })
  assert.equal(reinstalled.installation.clientKey, installed.installation.clientKey, 'same tenant, same clientKey')
  assert.equal(reinstalled.installation.previousClientKey, null)
})

test('a backup of a tenant the workspace no longer is, or a file that is not an export, is refused and changes nothing', async () => {
  const { slug } = await populatedWorkspace()
  const backup = await exportWorkspace(t.app.db, t.app.clock, t.config.issuer, slug)
  await importWorkspace(transferDeps(), backup, { slug })
  await assert.rejects(restoreWorkspace(transferDeps(), backup, {}), /is now tenant .* \(it was imported over since\); restoring would mix them, so import the file instead/)
  await assert.rejects(importWorkspace(transferDeps(), { hello: 'world' }, { slug }), /the file is not a workspace export/)
  await assert.rejects(importWorkspace(transferDeps(), { ...backup, repositories: [{ slug: 'x' }] }, { slug }), /repositories\[0\] must have slug, name and issues/)
  const issues = await t.app.db.selectFrom('issues').innerJoin('repositories', 'repositories.id', 'issues.repository_id').innerJoin('workspaces', 'workspaces.id', 'repositories.workspace_id').select('issues.title').where('workspaces.slug', '=', slug).execute()
  assert.equal(issues.length, 1)
})
