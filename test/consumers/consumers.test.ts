import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createWorkspace } from '../../src/platform/index.js'
import type { TestApp } from '../support/app.js'
import { form, hiddenField, insertUser, signIn, signedInCsrf, startWebApp } from '../web/fixtures.js'

const CONSUMERS = '/settings/developer/consumers'
const ORIGIN = { origin: 'http://127.0.0.1:8080' }
let t: TestApp

before(async () => {
  t = await startWebApp({ issuer: 'http://127.0.0.1:8080', audience: 'http://127.0.0.1:8080/2.0' })
})

after(async () => {
  await t?.close()
})

interface Browser {
  jar: Record<string, string>
  csrf: string
}

async function browserOf(username: string): Promise<Browser> {
  const jar = await signIn(t.app, username)
  return { jar, csrf: await signedInCsrf(t.app, jar) }
}

async function add(browser: Browser, fields: Record<string, string | undefined>, scopes: string[] = ['account']) {
  const body = new URLSearchParams(form({ ...fields, csrf_token: browser.csrf }).payload)
  for (const scope of scopes) body.append('scope', scope)
  return t.app.inject({ method: 'POST', url: `${CONSUMERS}/new`, cookies: browser.jar, headers: { 'content-type': 'application/x-www-form-urlencoded', ...ORIGIN }, payload: body.toString() })
}

function inputValue(body: string, id: string): string {
  const match = new RegExp(`<input [^>]*id="${id}"[^>]*value="([^"]*)"`).exec(body) ?? new RegExp(`<input [^>]*value="([^"]*)"[^>]*id="${id}"`).exec(body)
  if (!match) throw new Error(`no input ${id}`)
  return match[1]
}

function clientCredentials(clientId: string, secret: string) {
  return t.app.inject({
    method: 'POST', url: '/oauth/token',
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'grant_type=client_credentials',
  })
}

test('a private consumer is added with its Key and Secret shown once; the secret works, and is never shown again', async () => {
  const ada = await insertUser(t.app, 'ada1')
  assert.ok(ada)
  const browser = await browserOf('ada1')
  const created = await add(browser, { name: 'Sync', redirect_uris: 'https://sync.example/callback\r\nhttps://sync.example/other', is_private: 'on', homepage_url: 'https://sync.example', description: 'Keeps issues in step' }, ['account', 'repository'])
  assert.equal(created.statusCode, 200)
  assert.equal(created.headers['cache-control'], 'no-store')
  assert.match(created.body, /It will not be shown again/)
  const clientId = inputValue(created.body, 'key')
  const secret = inputValue(created.body, 'secret')
  assert.match(secret, /^gth_cs_/)
  assert.equal((await clientCredentials(clientId, secret)).statusCode, 200)

  const page = await t.app.inject({ method: 'GET', url: `${CONSUMERS}/${clientId}`, cookies: browser.jar })
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /https:\/\/sync.example\/other/)
  assert.doesNotMatch(page.body, new RegExp(secret))
  const list = await t.app.inject({ method: 'GET', url: CONSUMERS, cookies: browser.jar })
  assert.match(list.body, new RegExp(clientId))
  assert.doesNotMatch(list.body, new RegExp(secret))
})

test('a public consumer gets no secret and cannot use client credentials', async () => {
  await insertUser(t.app, 'pub1')
  const browser = await browserOf('pub1')
  const created = await add(browser, { name: 'Phone app', redirect_uris: 'com.example.app:/callback' })
  assert.equal(created.statusCode, 200)
  assert.match(created.body, /public consumer: it has no secret/)
  assert.throws(() => inputValue(created.body, 'secret'))
  const app = await t.app.db.selectFrom('apps').select(['is_public', 'grant_types', 'owner_id', 'created_via']).where('client_id', '=', inputValue(created.body, 'key')).executeTakeFirstOrThrow()
  assert.equal(app.is_public, 1)
  assert.deepEqual(JSON.parse(app.grant_types), ['authorization_code', 'refresh_token'])
  assert.equal(app.created_via, 'console')
})

test('a refused form comes back with the error at the field and what was typed; nothing is stored', async () => {
  await insertUser(t.app, 'err1')
  const browser = await browserOf('err1')
  const refused = await add(browser, { name: 'Typed <name>', redirect_uris: 'ftp://nope.example/cb', description: 'kept' }, ['account', 'nonsense'])
  assert.equal(refused.statusCode, 400)
  assert.match(refused.headers['content-type'] as string, /text\/html/)
  assert.match(refused.body, /Typed &lt;name&gt;/)
  assert.match(refused.body, />kept<\/textarea>/)
  assert.match(refused.body, /class="field-error"/)
  const count = await t.app.db.selectFrom('apps').select((eb) => eb.fn.countAll().as('n')).where('name', '=', 'Typed <name>').executeTakeFirstOrThrow()
  assert.equal(Number(count.n), 0)
})

test('people see their own consumers and those of workspaces they own; anyone else gets 404', async () => {
  const owner = await insertUser(t.app, 'own2')
  const member = await insertUser(t.app, 'mem2')
  await insertUser(t.app, 'out2')
  const workspace = await createWorkspace(t.app.db, t.app.clock, { slug: 'team2', members: [{ userId: owner.id, role: 'owner' }, { userId: member.id, role: 'member' }] })
  const memberBrowser = await browserOf('mem2')
  const personal = inputValue((await add(memberBrowser, { name: 'Member personal', redirect_uris: 'https://m.example/cb' })).body, 'key')
  await t.app.db.updateTable('apps').set({ workspace_id: workspace.id }).where('client_id', '=', personal).execute()

  const ownerBrowser = await browserOf('own2')
  const ownerList = await t.app.inject({ method: 'GET', url: CONSUMERS, cookies: ownerBrowser.jar })
  assert.match(ownerList.body, new RegExp(personal), 'a workspace owner sees the workspace app')
  assert.equal((await t.app.inject({ method: 'GET', url: `${CONSUMERS}/${personal}`, cookies: ownerBrowser.jar })).statusCode, 200)

  const outsider = await browserOf('out2')
  assert.doesNotMatch((await t.app.inject({ method: 'GET', url: CONSUMERS, cookies: outsider.jar })).body, new RegExp(personal))
  const hidden = await t.app.inject({ method: 'GET', url: `${CONSUMERS}/${personal}`, cookies: outsider.jar })
  assert.equal(hidden.statusCode, 404)
  assert.match(hidden.headers['content-type'] as string, /text\/html/)
  const refused = await t.app.inject({ method: 'POST', url: `${CONSUMERS}/${personal}/delete`, cookies: outsider.jar, ...form({ csrf_token: outsider.csrf }, ORIGIN) })
  assert.equal(refused.statusCode, 404)
  assert.ok(await t.app.db.selectFrom('apps').select('id').where('client_id', '=', personal).executeTakeFirst(), 'still there')
})

test('disabling revokes the consumer\'s tokens at once, deleting removes it; without the form token nothing happens', async () => {
  await insertUser(t.app, 'dis3')
  const browser = await browserOf('dis3')
  const created = await add(browser, { name: 'Revoked', redirect_uris: 'https://r.example/cb', is_private: 'on' })
  const clientId = inputValue(created.body, 'key')
  const token = JSON.parse((await clientCredentials(clientId, inputValue(created.body, 'secret'))).body).access_token as string
  const api = () => t.app.inject({ method: 'GET', url: '/2.0/user', headers: { authorization: `Bearer ${token}` } })
  assert.equal((await api()).statusCode, 200)

  const forged = await t.app.inject({ method: 'POST', url: `${CONSUMERS}/${clientId}/disable`, cookies: browser.jar, ...form({}, ORIGIN) })
  assert.equal(forged.statusCode, 403)
  assert.equal((await api()).statusCode, 200)

  const disabled = await t.app.inject({ method: 'POST', url: `${CONSUMERS}/${clientId}/disable`, cookies: browser.jar, ...form({ csrf_token: browser.csrf }, ORIGIN) })
  assert.equal(disabled.statusCode, 303)
  assert.equal(disabled.headers.location, `${CONSUMERS}/${clientId}?done=disabled`)
  assert.equal((await api()).statusCode, 401)

  const deleted = await t.app.inject({ method: 'POST', url: `${CONSUMERS}/${clientId}/delete`, cookies: browser.jar, ...form({ csrf_token: browser.csrf }, ORIGIN) })
  assert.equal(deleted.headers.location, `${CONSUMERS}?done=deleted`)
  const after = await t.app.inject({ method: 'GET', url: deleted.headers.location as string, cookies: browser.jar })
  assert.match(after.body, /The consumer is deleted/)
  assert.equal(await t.app.db.selectFrom('apps').select('id').where('client_id', '=', clientId).executeTakeFirst(), undefined)
})

test('editing saves through the same rules; rotating shows a new secret once while the old one keeps working for the overlap', async () => {
  await insertUser(t.app, 'edit4')
  const browser = await browserOf('edit4')
  const created = await add(browser, { name: 'Editable', redirect_uris: 'https://e.example/cb', is_private: 'on' })
  const clientId = inputValue(created.body, 'key')
  const oldSecret = inputValue(created.body, 'secret')

  const editForm = await t.app.inject({ method: 'GET', url: `${CONSUMERS}/${clientId}/edit`, cookies: browser.jar })
  assert.equal(inputValue(editForm.body, 'name'), 'Editable')
  const body = new URLSearchParams(form({ name: 'Edited', redirect_uris: 'https://e.example/cb', csrf_token: browser.csrf }).payload)
  body.append('scope', 'account')
  body.append('scope', 'issue')
  const saved = await t.app.inject({ method: 'POST', url: `${CONSUMERS}/${clientId}/edit`, cookies: browser.jar, headers: { 'content-type': 'application/x-www-form-urlencoded', ...ORIGIN }, payload: body.toString() })
  assert.equal(saved.statusCode, 303)
  const row = await t.app.db.selectFrom('apps').select(['name', 'scopes', 'is_public']).where('client_id', '=', clientId).executeTakeFirstOrThrow()
  assert.deepEqual([row.name, JSON.parse(row.scopes), row.is_public], ['Edited', ['account', 'issue'], 0])

  const rotated = await t.app.inject({ method: 'POST', url: `${CONSUMERS}/${clientId}/rotate-secret`, cookies: browser.jar, ...form({ csrf_token: browser.csrf }, ORIGIN) })
  assert.equal(rotated.statusCode, 200)
  const newSecret = inputValue(rotated.body, 'secret')
  assert.notEqual(newSecret, oldSecret)
  assert.equal((await clientCredentials(clientId, newSecret)).statusCode, 200)
  assert.equal((await clientCredentials(clientId, oldSecret)).statusCode, 200, 'the old secret works during the overlap')
  assert.match(hiddenField(rotated.body, 'csrf_token'), /./)
})

test('signed out, the consumer pages send the browser to sign in and come back', async () => {
  const response = await t.app.inject({ method: 'GET', url: `${CONSUMERS}/new` })
  assert.equal(response.statusCode, 303)
  assert.equal(response.headers.location, `/login?return_to=${encodeURIComponent(`${CONSUMERS}/new`)}`)
})

test('widening permissions with a grace period keeps earlier approvals, and the consumer page follows who renewed', async () => {
  await insertUser(t.app, 'widen5')
  const person = await insertUser(t.app, 'person5')
  await createWorkspace(t.app.db, t.app.clock, { slug: 'widen-team', members: [{ userId: person.id, role: 'member' }] })
  const browser = await browserOf('widen5')
  const created = await add(browser, { name: 'Widening', redirect_uris: 'https://w.example/cb' })
  const clientId = inputValue(created.body, 'key')
  const app = await t.app.db.selectFrom('apps').select('id').where('client_id', '=', clientId).executeTakeFirstOrThrow()
  const { decide, listDecisionsOfUser } = await import('../../src/consent/decisions.service.js')
  await decide(t.app.consent, { userId: person.id, app: { id: app.id, ownerId: null }, installationId: null, perInstallation: false, decision: 'allow', scopes: ['account'] })

  const editForm = await t.app.inject({ method: 'GET', url: `${CONSUMERS}/${clientId}/edit`, cookies: browser.jar })
  assert.match(editForm.body, /<select id="reconsent_grace" name="reconsent_grace"/)
  const body = new URLSearchParams(form({ name: 'Widening', redirect_uris: 'https://w.example/cb', reconsent_grace: '14', csrf_token: browser.csrf }).payload)
  body.append('scope', 'account')
  body.append('scope', 'issue')
  const saved = await t.app.inject({ method: 'POST', url: `${CONSUMERS}/${clientId}/edit`, cookies: browser.jar, headers: { 'content-type': 'application/x-www-form-urlencoded', ...ORIGIN }, payload: body.toString() })
  assert.equal(saved.headers.location, `${CONSUMERS}/${clientId}?done=widened-grace`)
  const [approval] = await listDecisionsOfUser(t.app.db, person.id)
  assert.ok(approval.graceEndsAt !== null && approval.graceEndsAt > t.app.clock.now() + 13 * 86_400_000, 'kept, for 14 days')

  const page = await t.app.inject({ method: 'GET', url: saved.headers.location as string, cookies: browser.jar })
  assert.match(page.body, /earlier approvals keep working with their old permissions for the grace period/)
  assert.match(page.body, /Approvals of the new permissions[\s\S]*<td>widen-team<\/td><td>0<\/td><td>1<\/td>/)
})
