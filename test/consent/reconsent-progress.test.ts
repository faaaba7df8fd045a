import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createApp } from '../../src/apps/apps.service.js'
import { decide, endApprovalsNotCovering } from '../../src/consent/decisions.service.js'
import { createWorkspace } from '../../src/platform/index.js'
import { createUser } from '../../src/users/users.service.js'
import { startTestApp, type TestApp } from '../support/app.js'

let t: TestApp

before(async () => {
  t = await startTestApp()
})
after(() => t.close())

test('the vendor follows a grace period per workspace with its own credentials: who renewed, who still holds the old approval', async () => {
  const { db, clock } = t.app
  const owner = await createUser(db, clock, { username: 'vendor', password: 'vendor-password-1' })
  const [kim, lou, max] = await Promise.all(['kim', 'lou', 'max'].map((username) => createUser(db, clock, { username, password: `${username}-password-1` })))
  await createWorkspace(db, clock, { slug: 'north', members: [{ userId: kim.id, role: 'owner' }, { userId: lou.id, role: 'member' }] })
  await createWorkspace(db, clock, { slug: 'south', members: [{ userId: max.id, role: 'owner' }] })
  const { app, clientSecret } = await createApp(db, clock, t.app.apiDescription.scopes, { name: 'Reporter', redirectUris: ['https://reporter.example/cb'], scopes: ['account'], ownerId: owner.id, createdVia: 'cli' }, t.app.secrets)
  for (const user of [kim, lou, max]) await decide(t.app.consent, { userId: user.id, app: { id: app.id, ownerId: owner.id }, installationId: null, perInstallation: false, decision: 'allow', scopes: ['account'] })
  await t.app.db.updateTable('apps').set({ scopes: JSON.stringify(['account', 'repository']) }).where('id', '=', app.id).execute()
  await endApprovalsNotCovering(t.app.consent, { appId: app.id, installationId: null, appScopes: ['account', 'repository'], graceMs: 7 * 86_400_000 })
  await decide(t.app.consent, { userId: kim.id, app: { id: app.id, ownerId: owner.id }, installationId: null, perInstallation: false, decision: 'allow', scopes: ['account', 'repository'] })

  const basic = `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(clientSecret!)}`).toString('base64')}`
  const response = await t.app.inject({ url: `/api/apps/${app.clientId}/reconsent`, headers: { authorization: basic } })
  assert.equal(response.statusCode, 200, response.body)
  assert.deepEqual(response.json(), { app: app.clientId, workspaces: [{ workspace: 'north', renewed: 1, pending: 1 }, { workspace: 'south', renewed: 0, pending: 1 }] })

  const wrongSecret = await t.app.inject({ url: `/api/apps/${app.clientId}/reconsent`, headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:nope`).toString('base64')}` } })
  assert.equal(wrongSecret.statusCode, 401)
  const other = await t.app.inject({ url: '/api/apps/someone-else/reconsent', headers: { authorization: basic } })
  assert.equal(other.statusCode, 403)
  const none = await t.app.inject({ url: `/api/apps/${app.clientId}/reconsent` })
  assert.equal(none.statusCode, 401)
  assert.match(none.json().error.message, /needs the app's own credentials/)
})
