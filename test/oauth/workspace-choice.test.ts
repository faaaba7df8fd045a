import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { createWorkspace } from '../../src/platform/index.js'
import type { TestApp } from '../support/app.js'
import { hiddenField, insertApp, insertUser, signIn, startWebApp, type TestClient } from '../web/fixtures.js'

// The consent page's choice of workspaces, through to the grant, the token, its response and the gate.
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
const REDIRECT = 'http://127.0.0.1:7777/cb'

let t: TestApp
let client: TestClient
let ada: Record<string, string>
let solo: Record<string, string>

before(async () => {
  t = await startWebApp()
  const adaUser = await insertUser(t.app, 'ada')
  const soloUser = await insertUser(t.app, 'solo')
  const eve = await insertUser(t.app, 'eve')
  const publisher = await insertUser(t.app, 'vendor')
  for (const [slug, name] of [['acme', 'Acme Corp'], ['beta', 'Beta Labs'], ['gamma', 'Gamma <Group>']]) {
    await createWorkspace(t.app.db, t.app.clock, { slug, name, members: [{ userId: adaUser.id, role: 'owner' }] })
  }
  await createWorkspace(t.app.db, t.app.clock, { slug: 'solo-ws', members: [{ userId: soloUser.id, role: 'owner' }] })
  await createWorkspace(t.app.db, t.app.clock, { slug: 'eves', members: [{ userId: eve.id, role: 'owner' }] })
  // Published by another account: an app its own owner uses is personal, and never asks.
  client = await insertApp(t.app, {
    name: 'Site Sync', isPublic: true, redirectUris: [REDIRECT], scopes: ['account', 'workspace', 'repository'],
    grantTypes: ['authorization_code', 'refresh_token'], ownerId: publisher.id,
  })
  ada = await signIn(t.app, 'ada')
  solo = await signIn(t.app, 'solo')
})

// Each test starts with no decision remembered, unless it makes one.
beforeEach(async () => {
  await t.app.db.deleteFrom('consent_decisions').execute()
})

after(() => t.close())

function authorize(extra: Record<string, string> = {}, cookies = ada): Promise<LightMyRequestResponse> {
  const query = new URLSearchParams({
    client_id: client.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'account workspace repository', state: 'st',
    code_challenge: CHALLENGE, code_challenge_method: 'S256', ...extra,
  })
  return t.app.inject({ method: 'GET', url: `/oauth/authorize?${query}`, cookies })
}

/** The consent page's hidden fields, as the browser would post them back. */
async function consentFields(extra: Record<string, string> = {}, cookies = ada): Promise<[string, string][]> {
  const page = await authorize(extra, cookies)
  assert.equal(page.statusCode, 200, page.body)
  // The decision form's own fields: the header's sign-out form has a csrf_token too.
  const form = page.body.slice(page.body.indexOf('<form method="post" action="/oauth/authorize/decision"'))
  const fields: [string, string][] = []
  for (const match of form.matchAll(/<input type="hidden" name="([^"]+)" value="[^"]*">/g)) fields.push([match[1], hiddenField(form, match[1])])
  return fields
}

function decide(fields: [string, string][], answer: [string, string][], cookies = ada): Promise<LightMyRequestResponse> {
  const body = new URLSearchParams([...fields, ...answer])
  return t.app.inject({ method: 'POST', url: '/oauth/authorize/decision', cookies, payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } })
}

function codeFrom(response: LightMyRequestResponse): string {
  assert.equal(response.statusCode, 303, response.body)
  const code = new URL(response.headers.location as string).searchParams.get('code')
  assert.ok(code, response.headers.location as string)
  return code
}

async function token(params: Record<string, string>): Promise<Record<string, unknown>> {
  const response = await t.app.inject({
    method: 'POST', url: '/oauth/token', payload: new URLSearchParams({ client_id: client.clientId, ...params }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  })
  assert.equal(response.statusCode, 200, response.body)
  return response.json()
}

const redeem = (code: string) => token({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: VERIFIER })

function claimsOf(accessToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8'))
}

async function latestGrant() {
  return t.app.db.selectFrom('grants').selectAll().where('app_id', '=', client.id).orderBy('created_at', 'desc').orderBy('id').executeTakeFirstOrThrow()
}

function api(accessToken: string, path: string): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'GET', url: `/2.0${path}`, headers: { authorization: `Bearer ${accessToken}` } })
}

/** The radio and the boxes as the page has them checked. */
function checked(body: string): { access: string | undefined; ticked: string[] } {
  const access = /<input type="radio" name="workspace_access" value="(all|some)" checked>/.exec(body)?.[1]
  const ticked = [...body.matchAll(/<input type="checkbox" name="workspaces" value="([^"]+)" checked>/g)].map((m) => m[1])
  return { access, ticked }
}

test('a user in several workspaces is asked which the app may reach: all by default, each workspace by name and slug', async () => {
  const page = await authorize()
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /<legend>Which workspaces may <span class="app-name">Site Sync<\/span> reach\?<\/legend>/)
  assert.match(page.body, /All my workspaces \(also ones I join later\)/)
  assert.match(page.body, /Only these:/)
  for (const slug of ['acme', 'beta', 'gamma']) assert.match(page.body, new RegExp(`name="workspaces" value="${slug}"`))
  assert.match(page.body, /Gamma &lt;Group&gt; <code class="workspace-slug">gamma<\/code>/, 'names are escaped')
  assert.doesNotMatch(page.body, /value="eves"/, "another user's workspace is not offered")
  assert.deepEqual(checked(page.body), { access: 'all', ticked: [] })
})

test('the workspace the app names is pre-selected, alone, under "Only these"', async () => {
  const page = await authorize({ workspace: 'beta' })
  assert.deepEqual(checked(page.body), { access: 'some', ticked: ['beta'] })
})

test('a workspace parameter naming no workspace of the user pre-selects nothing, and is never an error', async () => {
  for (const workspace of ['no-such-place', 'eves', 'BETA', '"><script>']) {
    const page = await authorize({ workspace })
    assert.equal(page.statusCode, 200, workspace)
    assert.deepEqual(checked(page.body), { access: 'all', ticked: [] }, workspace)
  }
})

test('a user in one workspace (or none) is not asked: the app may reach all', async () => {
  const page = await authorize({ workspace: 'solo-ws' }, solo)
  assert.equal(page.statusCode, 200)
  assert.doesNotMatch(page.body, /workspace_access/)
  const code = codeFrom(await decide(await consentFields({}, solo), [['decision', 'allow']], solo))
  assert.equal((await latestGrant()).workspace_slugs, null)
  const tokens = await redeem(code)
  assert.equal(tokens.workspaces, undefined)
  assert.equal(claimsOf(tokens.access_token as string).workspaces, undefined)
})

test('"All my workspaces": the grant, the token and its response are not limited, and the gate lets it into each', async () => {
  const code = codeFrom(await decide(await consentFields({ workspace: 'beta' }), [['workspace_access', 'all'], ['workspaces', 'beta'], ['decision', 'allow']]))
  assert.equal((await latestGrant()).workspace_slugs, null, 'the radio decides; a box left ticked under "All" does not limit')
  const tokens = await redeem(code)
  assert.equal(tokens.workspaces, undefined)
  assert.equal(claimsOf(tokens.access_token as string).workspaces, undefined)
  for (const slug of ['acme', 'beta', 'gamma']) assert.equal((await api(tokens.access_token as string, `/workspaces/${slug}`)).statusCode, 200, slug)
  assert.equal((await api(tokens.access_token as string, '/workspaces')).json().size, 3)
})

test('"Only these": the grant holds the choice, the token carries it, the response lists it, and a refresh keeps it', async () => {
  const code = codeFrom(await decide(await consentFields(), [['workspace_access', 'some'], ['workspaces', 'gamma'], ['workspaces', 'acme'], ['decision', 'allow']]))
  const grant = await latestGrant()
  assert.deepEqual(JSON.parse(grant.workspace_slugs!), ['acme', 'gamma'])
  const tokens = await redeem(code)
  assert.deepEqual(tokens.workspaces, ['acme', 'gamma'])
  assert.deepEqual(claimsOf(tokens.access_token as string).workspaces, ['acme', 'gamma'])
  assert.equal(claimsOf(tokens.access_token as string).gid, grant.id)

  const refreshed = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token as string })
  assert.deepEqual(refreshed.workspaces, ['acme', 'gamma'])
  assert.deepEqual(claimsOf(refreshed.access_token as string).workspaces, ['acme', 'gamma'])
  const narrowed = await token({ grant_type: 'refresh_token', refresh_token: refreshed.refresh_token as string, scope: 'workspace' })
  assert.deepEqual(narrowed.workspaces, ['acme', 'gamma'], 'a narrower scope keeps the workspaces')
})

test('the gate refuses a limited token on an operation in another workspace with a 403 naming it; /2.0/workspaces lists only the chosen', async () => {
  const code = codeFrom(await decide(await consentFields(), [['workspace_access', 'some'], ['workspaces', 'acme'], ['workspaces', 'gamma'], ['decision', 'allow']]))
  const { access_token: accessToken } = await redeem(code) as { access_token: string }

  assert.equal((await api(accessToken, '/workspaces/acme')).statusCode, 200)
  assert.equal((await api(accessToken, '/repositories/gamma')).statusCode, 200)
  for (const path of ['/workspaces/beta', '/workspaces/beta/members', '/repositories/beta', '/repositories/beta/some-repo']) {
    const refused = await api(accessToken, path)
    assert.equal(refused.statusCode, 403, path)
    assert.deepEqual(refused.json(), { error: { code: 'ERR_FORBIDDEN', message: 'This token was granted for the workspaces acme, gamma only, not "beta"' } }, path)
  }
  // Not a member: still refused by the gate first, so a limited token cannot probe which workspaces exist either.
  assert.equal((await api(accessToken, '/workspaces/eves')).statusCode, 403)

  const list = (await api(accessToken, '/workspaces')).json()
  assert.deepEqual(list.values.map((w: { slug: string }) => w.slug), ['acme', 'gamma'])
  assert.equal(list.size, 2)
  // Operations without a workspace in their path are not limited.
  assert.equal((await api(accessToken, '/user')).statusCode, 200)
})

test('"Only these" with no box ticked shows the page again with the reason, and approves nothing', async () => {
  const grantsBefore = (await t.app.db.selectFrom('grants').select('id').execute()).length
  const response = await decide(await consentFields({ workspace: 'beta' }), [['workspace_access', 'some'], ['decision', 'allow']])
  assert.equal(response.statusCode, 400)
  assert.match(response.headers['content-type'] as string, /text\/html/)
  assert.match(response.body, /<p class="field-error" id="workspace-error" role="alert">Tick at least one workspace, or choose &quot;All my workspaces&quot;\.<\/p>/)
  assert.match(response.body, /aria-describedby="workspace-error"/)
  assert.deepEqual(checked(response.body), { access: 'some', ticked: [] })
  // The form can be sent again from the page shown.
  assert.ok(hiddenField(response.body, 'csrf_token'))
  assert.equal(hiddenField(response.body, 'client_id'), client.clientId)
  assert.equal((await t.app.db.selectFrom('grants').select('id').execute()).length, grantsBefore)
  assert.equal((await t.app.db.selectFrom('consent_decisions').select('id').execute()).length, 0)
})

test("a workspace the user does not belong to, slipped into the form, is refused with the page again, never a 500", async () => {
  for (const slugs of [['eves'], ['acme', 'eves'], ['no-such-place']]) {
    const response = await decide(await consentFields(), [['workspace_access', 'some'], ...slugs.map((s): [string, string] => ['workspaces', s]), ['decision', 'allow']])
    assert.equal(response.statusCode, 400, slugs.join())
    assert.match(response.body, /You are not a member of a workspace &quot;(eves|no-such-place)&quot;/)
    assert.deepEqual(checked(response.body).ticked, slugs.filter((s) => s === 'acme'), 'the user\'s own ticks are kept')
  }
  const odd = await decide(await consentFields(), [['workspace_access', 'everything'], ['decision', 'allow']])
  assert.notEqual(odd.statusCode, 500)
  assert.ok(odd.statusCode >= 400 && odd.statusCode < 500)
})

test('Deny ignores the choice of workspaces', async () => {
  const response = await decide(await consentFields(), [['workspace_access', 'some'], ['decision', 'deny']])
  assert.equal(response.statusCode, 303)
  assert.equal(new URL(response.headers.location as string).searchParams.get('error'), 'access_denied')
})

test('a remembered approval reuses the choice: the next authorization is answered at once, limited the same way', async () => {
  codeFrom(await decide(await consentFields(), [['workspace_access', 'some'], ['workspaces', 'beta'], ['decision', 'allow']]))
  const again = await authorize({ workspace: 'acme' })
  const code = codeFrom(again)
  assert.deepEqual(JSON.parse((await latestGrant()).workspace_slugs!), ['beta'], 'the app naming another workspace does not widen the approval')
  const tokens = await redeem(code)
  assert.deepEqual(tokens.workspaces, ['beta'])
  assert.equal((await api(tokens.access_token as string, '/workspaces/acme')).statusCode, 403)

  // prompt=consent asks again, and the new answer replaces the old.
  const page = await authorize({ prompt: 'consent' })
  assert.equal(page.statusCode, 200)
  const fields = await consentFields({ prompt: 'consent' })
  codeFrom(await decide(fields, [['workspace_access', 'all'], ['decision', 'allow']]))
  const code3 = codeFrom(await authorize())
  assert.equal((await latestGrant()).workspace_slugs, null)
  assert.equal((await redeem(code3)).workspaces, undefined)
})
