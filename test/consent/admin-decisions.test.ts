import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { TestApp } from '../support/app.js'
import { signIn, startWebApp } from '../web/fixtures.js'
import { allowOAuth, classicAddOn, decideInstallation, denyOAuth, oauthApp, person, workspace } from './fixtures.js'

let t: TestApp

before(async () => {
  t = await startWebApp({ issuer: 'http://127.0.0.1:8080', audience: 'http://127.0.0.1:8080/2.0' })
})

after(async () => {
  await t?.close()
})

async function admin(username: string): Promise<Record<string, string>> {
  const user = await person(t.app, username)
  await t.app.db.updateTable('users').set({ is_admin: 1 }).where('id', '=', user.id).execute()
  return signIn(t.app, username)
}

function get(url: string, jar?: Record<string, string>) {
  return t.app.inject({ method: 'GET', url, cookies: jar, headers: { accept: 'text/html' } })
}

test("an app's decisions page counts approvals and denials and lists who decided what; the apps list links to it", async () => {
  const root = await admin('root1')
  const [ada, bob, cy] = await Promise.all(['ada1', 'bob1', 'cy1'].map((name) => person(t.app, name)))
  const client = await oauthApp(t.app, 'Tracker', null)
  await allowOAuth(t.app, ada.id, client, ['account', 'repository'], ['team1'])
  await allowOAuth(t.app, bob.id, client, ['account'])
  await denyOAuth(t.app, cy.id, client, ['account', 'issue:write'])

  const list = await get('/settings/admin/apps?q=Tracker', root)
  assert.match(list.body, new RegExp(`<th scope="row" class="cell-name"><a href="/settings/admin/apps/${client.app.clientId}/decisions" title="Who allowed or denied Tracker">Tracker</a>`))

  const page = await get(`/settings/admin/apps/${client.app.clientId}/decisions`, root)
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /<h1 id="title">Decisions for Tracker<\/h1>/)
  assert.match(page.body, /<a href="\/settings\/admin\/apps" aria-current="page">Apps<\/a>/, 'under Admin → Apps')
  assert.match(page.body, /<dt>Allowed<\/dt><dd>2<\/dd>/)
  assert.match(page.body, /<dt>Denied<\/dt><dd>1<\/dd>/)
  assert.match(page.body, /<th scope="row" class="cell-name">ada1<\/th>\s*<td><span class="badges"><span class="badge ok">Allowed<\/span><\/span><\/td>\s*<td class="hide-narrow">team1<\/td>/)
  assert.match(page.body, /<th scope="row" class="cell-name">bob1<\/th>\s*<td><span class="badges"><span class="badge ok">Allowed<\/span><\/span><\/td>\s*<td class="hide-narrow"><span class="muted">All of theirs<\/span><\/td>/)
  assert.match(page.body, /<th scope="row" class="cell-name">cy1<\/th>\s*<td><span class="badges"><span class="badge danger">Denied<\/span><\/span><\/td>/)
  assert.match(page.body, /<code title="[^"]*">issue:write<\/code>/)
})

test("a classic add-on's decisions name the installation's workspace; an app nobody decided about says so", async () => {
  const root = await admin('root2')
  const ada = await person(t.app, 'ada2')
  const team = await workspace(t.app, 'team2', 'Team Two', [ada.id])
  const addOn = await classicAddOn(t.app, 'board-two', null, team)
  await decideInstallation(t.app, ada.id, addOn, 'deny', ['repository'])
  const page = await get('/settings/admin/apps/board-two/decisions', root)
  assert.match(page.body, /<dt>Allowed<\/dt><dd>0<\/dd>/)
  assert.match(page.body, /<dt>Denied<\/dt><dd>1<\/dd>/)
  assert.match(page.body, /<th scope="row" class="cell-name">ada2<\/th>\s*<td>[\s\S]*?<\/td>\s*<td class="hide-narrow">team2<\/td>/)

  const quiet = await oauthApp(t.app, 'Quiet', null)
  const empty = await get(`/settings/admin/apps/${quiet.app.clientId}/decisions`, root)
  assert.equal(empty.statusCode, 200)
  assert.match(empty.body, /Nobody has allowed or denied Quiet yet\./)
})

test('only administrators: anyone else gets the 403 page, signed-out browsers are sent to sign in, an unknown app is a 404', async () => {
  const client = await oauthApp(t.app, 'Guarded', null)
  const path = `/settings/admin/apps/${client.app.clientId}/decisions`
  await person(t.app, 'plain3')
  const refused = await get(path, await signIn(t.app, 'plain3'))
  assert.equal(refused.statusCode, 403)
  assert.match(refused.body, /Administrators only/)
  assert.doesNotMatch(refused.body, /Guarded/)

  const signedOut = await get(path)
  assert.equal(signedOut.statusCode, 303)
  assert.equal(signedOut.headers.location, `/login?return_to=${encodeURIComponent(path)}`)

  const missing = await get('/settings/admin/apps/no-such-app/decisions', await admin('root3'))
  assert.equal(missing.statusCode, 404)
  assert.match(missing.headers['content-type'] as string, /text\/html/)
})
