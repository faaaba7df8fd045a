import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestApp, type TestApp } from '../support/app.js'
import { startTestVendor, type TestVendor } from '../support/vendor.js'
import { acme, makeCaller, type Caller } from '../platform/fixtures.js'

let t: TestApp
let vendor: TestVendor
let ada: Caller
let grace: Caller
let publisher: Caller

before(async () => {
  t = await startTestApp({}, { listen: true })
  vendor = await startTestVendor(t.config.issuer, 'api-app')
  ;({ ada, grace } = await acme(t.app))
  publisher = await makeCaller(t.app, 'publisher')
})

after(async () => {
  await vendor?.close()
  await t?.close()
})

async function call(method: 'GET' | 'POST' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) {
  const response = await t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) })
  return { status: response.statusCode, body: response.body ? (response.json() as Record<string, any>) : {}, headers: response.headers }
}

test('a vendor registers an app through the API; a workspace owner installs, lists and uninstalls it', async () => {
  const registered = await call('POST', '/2.0/apps', await publisher.auth('app:write'), { descriptor: vendor.descriptor() })
  assert.equal(registered.status, 200, JSON.stringify(registered.body))
  assert.equal(registered.body.key, 'api-app')
  assert.equal(registered.body.created, true)

  const installed = await call('POST', '/2.0/workspaces/acme/installations', await ada.auth('workspace:admin'), { app: 'api-app' })
  assert.equal(installed.status, 201, JSON.stringify(installed.body))
  assert.equal(installed.body.state, 'installed')
  assert.equal(installed.body.client_key, vendor.received[0].body.clientKey)
  assert.equal(JSON.stringify(installed.body).includes(vendor.received[0].body.sharedSecret as string), false)

  const listed = await call('GET', '/2.0/workspaces/acme/installations', await grace.auth('workspace'))
  assert.equal(listed.status, 200)
  assert.deepEqual(listed.body.values.map((i: { app: { key: string } }) => i.app.key), ['api-app'])

  const byMember = await call('DELETE', '/2.0/workspaces/acme/installations/api-app', await grace.auth('workspace:admin'))
  assert.equal(byMember.status, 403)
  assert.match(byMember.body.error.message, /only an owner of workspace acme or an administrator/)

  const removed = await call('DELETE', '/2.0/workspaces/acme/installations/api-app', await ada.auth('workspace:admin'))
  assert.equal(removed.status, 204)
  // The uninstall kicked the server's deliverer; wait for its pass.
  await t.app.installedApps.deliverer.idle()

  const log = await call('GET', '/2.0/apps/api-app/deliveries', await publisher.auth('app'))
  assert.equal(log.status, 200)
  assert.deepEqual(log.body.values.map((d: { event: string; state: string }) => `${d.event}:${d.state}`), ['uninstalled:delivered', 'installed:delivered'])
  const notTheirs = await call('GET', '/2.0/apps/api-app/deliveries', await ada.auth('app'))
  assert.equal(notTheirs.status, 403)
})

test('the operations need their scopes, and bad input is a readable 400', async () => {
  const noScope = await call('POST', '/2.0/workspaces/acme/installations', await ada.auth('workspace'), { app: 'api-app' })
  assert.equal(noScope.status, 403)
  assert.match(String(noScope.headers['www-authenticate']), /insufficient_scope/)
  const badBody = await call('POST', '/2.0/apps', await publisher.auth('app:write'), { url: 'x', descriptor: {} })
  assert.equal(badBody.status, 400)
  const invalid = await call('POST', '/2.0/apps', await publisher.auth('app:write'), { descriptor: { key: 'api-app' } })
  assert.equal(invalid.status, 400)
  assert.match(invalid.body.error.message, /the descriptor is not valid:\n {2}- name: expected/)
  const refused = await call('POST', '/2.0/workspaces/acme/installations', await ada.auth('workspace:admin'), { app: 'api-app' })
  assert.equal(refused.status, 201, 'reinstalling after an uninstall works')
  vendor.answer = 500
  const otherWorkspaceInstall = await call('POST', '/2.0/workspaces/eves/installations', await ada.auth('workspace:admin'), { app: 'api-app' })
  assert.equal(otherWorkspaceInstall.status, 403)
  vendor.answer = 204
})
