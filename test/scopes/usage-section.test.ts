import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { TestApp } from '../support/app.js'
import { addDescriptorApp } from '../support/installed-app.js'
import { insertApp, insertUser, signIn, startWebApp } from '../web/fixtures.js'

// "Scope usage" on an app's page, over HTTP: the OAuth consumer's page and the installed app's
// developer page show the same section, from the usage stored for the app's client_id.

let t: TestApp
let jar: Record<string, string>
let ownerId: string
const today = () => new Date().toISOString().slice(0, 10)

before(async () => {
  t = await startWebApp()
  ownerId = (await insertUser(t.app, 'ada')).id
  jar = await signIn(t.app, 'ada')
})
after(() => t?.close())

async function stored(clientId: string, rows: [operationId: string, scope: string, calls: number][]): Promise<void> {
  await t.app.db.insertInto('scope_usage').values(rows.map(([operation_id, scope, calls]) => ({ client_id: clientId, day: today(), operation_id, scope, calls }))).execute()
}

/** The section's markup, alone. */
function section(body: string): string {
  const start = body.indexOf('<section class="panel scope-usage"')
  assert.ok(start >= 0, 'the page has a Scope usage section')
  return body.slice(start, body.indexOf('</section>', start))
}

test('the consumer page lists the permissions never used, classic scopes in use with their replacements, and links the scope reference', async () => {
  const app = await insertApp(t.app, { ownerId, scopes: ['read:user', 'workspace', 'issue', 'repository:write'] })
  await stored(app.clientId, [['getCurrentUser', 'read:user', 7], ['listWorkspaceMembers', 'workspace', 2]])
  const page = await t.app.inject({ url: `/settings/developer/consumers/${app.clientId}`, cookies: jar })
  assert.equal(page.statusCode, 200)
  const usage = section(page.body)
  assert.match(usage, /<h2 id="scope-usage-heading">Scope usage<\/h2>/)
  assert.match(usage, /<ul class="bare inline scope-usage-unused"><li><code>issue<\/code><\/li><li><code>repository:write<\/code><\/li><\/ul>/)
  assert.match(usage, /you can remove them/)
  assert.match(usage, /<code>workspace<\/code> → <code>read:workspace<\/code>, <code>read:workspace-member<\/code>/)
  assert.match(usage, /2 calls by listWorkspaceMembers; deprecated on 7 Jun 2027/)
  assert.match(usage, /<span class="badge warn">Add first<\/span> <code>read:workspace<\/code>, <code>read:workspace-member<\/code><\/li>/)
  assert.match(usage, /<code>read:user<\/code> <span class="muted">7 calls, last on/)
  assert.match(usage, /<a href="\/docs\/scopes">/)
})

test('a consumer with no calls in the period is told there is no traffic to judge by, not that every permission is unused', async () => {
  const app = await insertApp(t.app, { ownerId, scopes: ['read:user', 'issue'] })
  const page = await t.app.inject({ url: `/settings/developer/consumers/${app.clientId}`, cookies: jar })
  const usage = section(page.body)
  assert.match(usage, /No calls of this app reached the API in this period, so there is no traffic to judge its permissions by yet\./)
  assert.doesNotMatch(usage, /remove/)
})

test('every permission used: said so, with nothing to remove', async () => {
  const app = await insertApp(t.app, { ownerId, scopes: ['read:user'] })
  await stored(app.clientId, [['getCurrentUser', 'read:user', 1]])
  const usage = section((await t.app.inject({ url: `/settings/developer/consumers/${app.clientId}`, cookies: jar })).body)
  assert.match(usage, /Every permission was used\./)
  assert.match(usage, /1 call, last on/)
  assert.doesNotMatch(usage, /Classic scopes in use/)
})

test('the installed app\'s developer page shows the same section for its key', async () => {
  const installed = await addDescriptorApp(t.app, 'usage-reports', ['read:repository', 'issue', 'read:user'], ownerId)
  await stored(installed.key, [['listIssues', 'issue', 4]])
  const page = await t.app.inject({ url: `/settings/developer/installed-apps/${installed.key}`, cookies: jar })
  assert.equal(page.statusCode, 200)
  const usage = section(page.body)
  assert.match(usage, /<li><code>read:repository<\/code><\/li><li><code>read:user<\/code><\/li>/)
  assert.match(usage, /<code>issue<\/code> → <code>read:issue<\/code>(?!,)/)
  assert.match(usage, /<span class="badge warn">Add first<\/span> <code>read:issue<\/code><\/li>/)
})

test('the section escapes what it shows', async () => {
  const app = await insertApp(t.app, { ownerId, scopes: ['read:user'] })
  await stored(app.clientId, [['<script>alert(1)</script>', 'account', 1]])
  const usage = section((await t.app.inject({ url: `/settings/developer/consumers/${app.clientId}`, cookies: jar })).body)
  assert.doesNotMatch(usage, /<script>/)
  assert.match(usage, /&lt;script&gt;/)
})
