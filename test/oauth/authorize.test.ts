import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { hashSecret, isOpaqueToken } from '../../src/domain/opaque-token.js'
import type { TestApp } from '../support/app.js'
import { createWorkspace } from '../../src/platform/index.js'
import { createUser } from '../../src/users/users.service.js'
import { cookiesFrom, form, hiddenField, insertApp, insertUser, PASSWORD, signIn, startWebApp, type TestClient } from '../web/fixtures.js'

const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'
const REDIRECT = 'https://client.example/callback'

let t: TestApp
let confidential: TestClient
let publicApp: TestClient
let jar: Record<string, string>

before(async () => {
  t = await startWebApp()
  await insertUser(t.app)
  confidential = await insertApp(t.app, { name: 'Example app', redirectUris: [REDIRECT], scopes: ['account', 'repository'] })
  publicApp = await insertApp(t.app, { name: 'Public app', isPublic: true, redirectUris: ['http://127.0.0.1:7777/cb', 'com.example.app:/callback'] })
  jar = await signIn(t.app)
})

// These tests are about the consent page: each starts with no decision remembered (test/consent covers remembering).
beforeEach(async () => {
  await t.app.db.deleteFrom('consent_decisions').execute()
})

after(() => t.close())

function authorize(parameters: Record<string, string | string[]>, cookies = jar): Promise<LightMyRequestResponse> {
  const query = new URLSearchParams()
  for (const [name, value] of Object.entries(parameters)) for (const v of [value].flat()) query.append(name, v)
  return t.app.inject({ method: 'GET', url: `/oauth/authorize?${query}`, cookies })
}

const valid = () => ({ client_id: confidential.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'account', state: 'st-1' })
const validPublic = () => ({ client_id: publicApp.clientId, redirect_uri: 'http://127.0.0.1:7777/cb', response_type: 'code', state: 's', code_challenge: CHALLENGE, code_challenge_method: 'S256' })

/** The parameters of a redirect to the client, asserting it went to `redirectUri`. */
function redirectedTo(response: LightMyRequestResponse, redirectUri = REDIRECT): URLSearchParams {
  assert.equal(response.statusCode, 303, response.body)
  const location = new URL(response.headers.location as string)
  assert.equal(`${location.origin}${location.pathname}`, redirectUri)
  return location.searchParams
}

function assertErrorRedirect(response: LightMyRequestResponse, error: string, description: RegExp, state = 'st-1'): void {
  const params = redirectedTo(response)
  assert.equal(params.get('error'), error)
  assert.match(params.get('error_description') ?? '', description)
  assert.equal(params.get('state'), state)
  assert.equal(params.get('iss'), t.config.issuer)
}

function assertErrorPage(response: LightMyRequestResponse, message: RegExp): void {
  assert.equal(response.statusCode, 400)
  assert.equal(response.headers.location, undefined)
  assert.match(response.headers['content-type'] as string, /text\/html/)
  assert.match(response.body, message)
}

// The client and redirect URI are checked first, and failures there are shown, never redirected.

test('an unknown client_id shows an error page', async () => {
  assertErrorPage(await authorize({ ...valid(), client_id: 'nope' }), /not known to Gatehouse/)
})

test('a missing client_id shows an error page', async () => {
  const { client_id: _, ...rest } = valid()
  assertErrorPage(await authorize(rest), /missing the client_id/)
})

test('a disabled app shows an error page', async () => {
  const disabled = await insertApp(t.app, { redirectUris: [REDIRECT], disabledAt: t.app.clock.now() })
  assertErrorPage(await authorize({ ...valid(), client_id: disabled.clientId }), /disabled/)
})

test('an app without the authorization_code grant shows an error page', async () => {
  const machine = await insertApp(t.app, { redirectUris: [REDIRECT], grantTypes: ['client_credentials'] })
  assertErrorPage(await authorize({ ...valid(), client_id: machine.clientId }), /not allowed to ask users/)
})

test('open redirect: an unregistered redirect_uri shows an error page and is never redirected to', async () => {
  for (const redirectUri of ['https://evil.example/callback', `${REDIRECT}/`, `${REDIRECT}?x=1`, 'https://CLIENT.example/callback', 'https://client.example/callback#x']) {
    assertErrorPage(await authorize({ ...valid(), redirect_uri: redirectUri, response_type: 'token' }), /does not match any registered/)
  }
})

test('an omitted redirect_uri uses the only registered one', async () => {
  const { redirect_uri: _, ...rest } = valid()
  const response = await authorize(rest)
  assert.equal(response.statusCode, 200)
  assert.match(response.body, /Allow <span class="app-name">Example app<\/span>/)
})

test('an omitted redirect_uri is refused with an error page when the app has several', async () => {
  const { redirect_uri: _, ...rest } = validPublic()
  assertErrorPage(await authorize(rest), /more than one registered/)
})

test('a repeated client_id or redirect_uri shows an error page', async () => {
  assertErrorPage(await authorize({ ...valid(), client_id: [confidential.clientId, confidential.clientId] }), /client_id parameter is repeated/)
  assertErrorPage(await authorize({ ...valid(), redirect_uri: [REDIRECT, 'https://evil.example/'] }), /redirect_uri parameter is repeated/)
})

// Once client and redirect URI are trusted, errors go back to the client.

test('response_type=token is refused with unsupported_response_type: the implicit flow leaks tokens', async () => {
  assertErrorRedirect(await authorize({ ...valid(), response_type: 'token' }), 'unsupported_response_type', /response_type=code/)
})

test('a missing response_type is an invalid_request', async () => {
  const { response_type: _, ...rest } = valid()
  assertErrorRedirect(await authorize(rest), 'invalid_request', /response_type/)
})

test('a public app without a code_challenge is refused: PKCE is required', async () => {
  const { code_challenge: _, code_challenge_method: __, ...rest } = validPublic()
  const params = redirectedTo(await authorize(rest), 'http://127.0.0.1:7777/cb')
  assert.equal(params.get('error'), 'invalid_request')
  assert.match(params.get('error_description')!, /PKCE/)
})

test('code_challenge_method=plain is refused', async () => {
  assertErrorRedirect(await authorize({ ...valid(), code_challenge: CHALLENGE, code_challenge_method: 'plain' }), 'invalid_request', /S256/)
})

test('a code_challenge without a method is refused, since the default would be plain', async () => {
  assertErrorRedirect(await authorize({ ...valid(), code_challenge: CHALLENGE }), 'invalid_request', /S256/)
})

test('a code_challenge_method without a code_challenge is refused', async () => {
  assertErrorRedirect(await authorize({ ...valid(), code_challenge_method: 'S256' }), 'invalid_request', /without a code_challenge/)
})

test('a malformed code_challenge is refused', async () => {
  for (const challenge of ['short', 'a'.repeat(129), `${CHALLENGE.slice(0, -1)}=`, `${CHALLENGE.slice(0, -1)}+`]) {
    assertErrorRedirect(await authorize({ ...valid(), code_challenge: challenge, code_challenge_method: 'S256' }), 'invalid_request', /43 to 128/)
  }
})

test('a scope the app may not request is an invalid_scope', async () => {
  assertErrorRedirect(await authorize({ ...valid(), scope: 'account issue:write' }), 'invalid_scope', /may not request: issue:write/)
})

test('a scope missing from the catalogue is an invalid_scope', async () => {
  assertErrorRedirect(await authorize({ ...valid(), scope: 'account admin' }), 'invalid_scope', /Unknown scope: admin/)
})

test('a repeated parameter is an invalid_request', async () => {
  assertErrorRedirect(await authorize({ ...valid(), scope: ['account', 'repository'] }), 'invalid_request', /"scope" is repeated/)
  const params = redirectedTo(await authorize({ ...valid(), state: ['a', 'b'] }))
  assert.equal(params.get('error'), 'invalid_request')
  assert.equal(params.get('state'), null)
})

test('error redirects keep the query the redirect URI was registered with', async () => {
  const withQuery = await insertApp(t.app, { redirectUris: ['https://client.example/cb?tenant=a%20b&x=1'] })
  const response = await authorize({ client_id: withQuery.clientId, response_type: 'token', state: 'z' })
  assert.equal(response.statusCode, 303)
  const location = response.headers.location as string
  assert.ok(location.startsWith('https://client.example/cb?tenant=a%20b&x=1&error=unsupported_response_type&'), location)
})

test('an over-long parameter is a 400 page, not a crash', async () => {
  const response = await authorize({ ...valid(), state: 'x'.repeat(5000) })
  assert.equal(response.statusCode, 400)
  assert.match(response.headers['content-type'] as string, /text\/html/)
})

// Signing in, consent, decision.

test('a signed-out user is sent to sign in and brought back to the same authorization request', async () => {
  const response = await authorize(valid(), {})
  assert.equal(response.statusCode, 303)
  const location = new URL(response.headers.location as string, 'http://gatehouse.test')
  assert.equal(location.pathname, '/login')
  const returnTo = location.searchParams.get('return_to')!
  assert.equal(returnTo, `/oauth/authorize?${new URLSearchParams(valid())}`)
  const loginPage = await t.app.inject({ method: 'GET', url: `${location.pathname}${location.search}` })
  assert.equal(hiddenField(loginPage.body, 'return_to'), returnTo)
})

test('the consent page names the app, the user and each scope with its description', async () => {
  const response = await authorize({ ...valid(), scope: 'account repository' })
  assert.equal(response.statusCode, 200)
  assert.equal(response.headers['cache-control'], 'no-store')
  assert.match(response.body, /Allow <span class="app-name">Example app<\/span> to access your account\?/)
  assert.match(response.body, /signed in as <strong>ada<\/strong>/)
  assert.match(response.body, /Read your account \(username and display name\)<\/span> <code class="scope-name">account<\/code>/)
  assert.match(response.body, /Read the repositories you can see<\/span> <code class="scope-name">repository<\/code>/)
  assert.match(response.body, /<button type="submit" name="decision" value="allow" class="primary">Allow<\/button>/)
  assert.match(response.body, /<button type="submit" name="decision" value="deny" class="secondary">Deny<\/button>/)
  assert.equal(hiddenField(response.body, 'client_id'), confidential.clientId)
  assert.equal(hiddenField(response.body, 'state'), 'st-1')
})

test('the consent page says who publishes the app: its owner by display name, or its workspace by name', async () => {
  const owner = await createUser(t.app.db, t.app.clock, { username: 'grace', password: PASSWORD, displayName: 'Grace Hopper' })
  const owned = await insertApp(t.app, { name: 'Owned app', redirectUris: [REDIRECT], ownerId: owner.id })
  assert.match((await authorize({ ...valid(), client_id: owned.clientId })).body, /<p class="app-byline">by <strong class="app-publisher">Grace Hopper<\/strong><\/p>/)

  const workspace = await createWorkspace(t.app.db, t.app.clock, { slug: 'acme', name: 'Acme Tools', members: [{ userId: owner.id, role: 'owner' }] })
  const teamApp = await insertApp(t.app, { name: 'Team app', redirectUris: [REDIRECT], ownerId: owner.id, workspaceId: workspace.id })
  assert.match((await authorize({ ...valid(), client_id: teamApp.clientId })).body, /by <strong class="app-publisher">Acme Tools<\/strong>/)

  const ownerless = await authorize(valid())
  assert.doesNotMatch(ownerless.body, /app-byline/, 'nobody is named when the app has neither owner nor workspace')
})

test('the consent page links the app\'s homepage without passing the opener or a referrer, and shows its description as text', async () => {
  const profiled = await insertApp(t.app, {
    name: 'Profiled app', redirectUris: [REDIRECT], homepageUrl: 'https://tools.example/sync?ref=gh',
    description: 'Keeps issues in step with <b>your</b> tracker.',
  })
  const body = (await authorize({ ...valid(), client_id: profiled.clientId })).body
  assert.match(body, /<a class="app-homepage" href="https:\/\/tools\.example\/sync\?ref=gh" rel="noopener noreferrer">tools\.example\/sync\?ref=gh<\/a>/)
  assert.match(body, /<p class="app-description">Keeps issues in step with &lt;b&gt;your&lt;\/b&gt; tracker\.<\/p>/)
  const plain = (await authorize(valid())).body
  assert.doesNotMatch(plain, /app-homepage|app-description/, 'no empty link or paragraph')
})

test('the consent page marks an app Unverified, with the reason, unless an administrator verified it', async () => {
  const unverified = (await authorize(valid())).body
  assert.match(unverified, /<span class="badge warn">Unverified<\/span> <span class="hint">An administrator of this Gatehouse has not verified this app<\/span>/)
  assert.doesNotMatch(unverified, />Verified</)
  const vetted = await insertApp(t.app, { name: 'Vetted app', redirectUris: [REDIRECT], verifiedAt: t.app.clock.now() })
  const verified = (await authorize({ ...valid(), client_id: vetted.clientId })).body
  assert.match(verified, /<span class="badge ok">Verified<\/span>/)
  assert.doesNotMatch(verified, /Unverified/)
})

test('the consent page sets scopes that can change data apart, under "Can change data"', async () => {
  const writer = await insertApp(t.app, { name: 'Writer', redirectUris: [REDIRECT], scopes: ['account', 'repository', 'repository:write', 'issue:write'] })
  const body = (await authorize({ ...valid(), client_id: writer.clientId, scope: 'account repository:write issue:write repository' })).body
  const reads = /<ul class="scopes">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? ''
  const writes = /<ul class="scopes write-scopes" aria-labelledby="write-scopes">([\s\S]*?)<\/ul>/.exec(body)?.[1] ?? ''
  assert.deepEqual([...reads.matchAll(/<code class="scope-name">([^<]+)<\/code>/g)].map((m) => m[1]), ['account', 'repository'])
  assert.deepEqual([...writes.matchAll(/<code class="scope-name">([^<]+)<\/code>/g)].map((m) => m[1]), ['issue:write', 'repository:write'])
  assert.match(body, /<h2 class="scope-group" id="write-scopes"><span class="badge warn">Can change data<\/span><\/h2>/)

  const readOnly = (await authorize({ ...valid(), scope: 'account repository' })).body
  assert.doesNotMatch(readOnly, /Can change data|write-scopes/)
})

test('the consent page points to where access can be reviewed, and that page is there', async () => {
  assert.match((await authorize(valid())).body, /You can review and revoke access in <a href="\/account\/app-authorizations">Settings → App authorizations<\/a>\./)
  const page = await t.app.inject({ method: 'GET', url: '/account/app-authorizations', cookies: jar })
  assert.equal(page.statusCode, 200)
})

test('without a scope the consent page asks for the scopes the app registered', async () => {
  const { scope: _, ...rest } = valid()
  const response = await authorize(rest)
  assert.match(response.body, /<code class="scope-name">account<\/code>/)
  assert.match(response.body, /<code class="scope-name">repository<\/code>/)
})

test("the consent page's CSP lets its form reach the app's redirect origin, and nothing else new", async () => {
  const csp = (await authorize(valid())).headers['content-security-policy'] as string
  assert.match(csp, /(^|;)form-action 'self' https:\/\/client\.example(;|$)/)
  assert.match(csp, /script-src 'self'/)
  const native = await authorize({ ...validPublic(), redirect_uri: 'com.example.app:/callback' })
  assert.match(native.headers['content-security-policy'] as string, /form-action 'self' com\.example\.app:(;|$)/)
})

test('stored XSS: an app name with markup is shown as text on the consent page', async () => {
  const evil = await insertApp(t.app, { name: '<img src=x onerror=alert(1)>', redirectUris: [REDIRECT] })
  const response = await authorize({ ...valid(), client_id: evil.clientId })
  assert.doesNotMatch(response.body, /<img/)
  assert.match(response.body, /&lt;img src=x onerror=alert\(1\)&gt;/)
})

async function consent(parameters: Record<string, string>, cookies = jar): Promise<Record<string, string>> {
  // The consent page shows only while nothing is decided.
  await t.app.db.deleteFrom('consent_decisions').execute()
  const page = await authorize(parameters, cookies)
  assert.equal(page.statusCode, 200, page.body)
  const fields: Record<string, string> = { csrf_token: hiddenField(page.body, 'csrf_token') }
  for (const name of ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'prompt']) {
    if (page.body.includes(`name="${name}"`)) fields[name] = hiddenField(page.body, name)
  }
  return fields
}

function decide(fields: Record<string, string | undefined>, cookies = jar): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: 'POST', url: '/oauth/authorize/decision', cookies, ...form(fields) })
}

test('Allow issues a code bound to the grant, the PKCE challenge and the redirect URI', async () => {
  const fields = await consent({ ...validPublic(), scope: 'repository account' })
  const response = await decide({ ...fields, decision: 'allow' })
  const params = redirectedTo(response, 'http://127.0.0.1:7777/cb')
  assert.equal(response.headers['cache-control'], 'no-store')
  const code = params.get('code')!
  assert.ok(isOpaqueToken(code, 'authorizationCode'), code)
  assert.equal(params.get('state'), 's')
  assert.equal(params.get('iss'), t.config.issuer)

  const row = await t.app.db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', hashSecret(code)).executeTakeFirstOrThrow()
  assert.equal(row.app_id, publicApp.id)
  assert.equal(row.redirect_uri, 'http://127.0.0.1:7777/cb')
  assert.equal(row.scope, 'account repository')
  assert.equal(row.code_challenge, CHALLENGE)
  assert.equal(row.code_challenge_method, 'S256')
  assert.equal(row.consumed_at, null)
  assert.equal(row.expires_at - row.created_at, t.config.authorizationCodeTtlSeconds * 1000)
  const grant = await t.app.db.selectFrom('grants').selectAll().where('id', '=', row.grant_id).executeTakeFirstOrThrow()
  assert.equal(grant.kind, 'authorization_code')
  assert.equal(grant.user_id, row.user_id)
  assert.equal(grant.scope, 'account repository')
  assert.equal(grant.expires_at - grant.created_at, t.config.refreshTokenAbsoluteTtlSeconds * 1000)
})

test('Allow records whether the request named its redirect_uri, which decides whether the token request must (RFC 6749 §4.1.3)', async () => {
  const codeRow = async (parameters: Record<string, string>) => {
    const code = redirectedTo(await decide({ ...(await consent(parameters)), decision: 'allow' })).get('code')!
    return t.app.db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', hashSecret(code)).executeTakeFirstOrThrow()
  }
  const { redirect_uri: _, ...omitted } = valid()
  const inferred = await codeRow(omitted)
  assert.equal(inferred.redirect_uri, REDIRECT)
  assert.equal(inferred.redirect_uri_provided, 0)
  assert.equal((await codeRow(valid())).redirect_uri_provided, 1)
})

test('a loopback IP redirect URI may use any port, and the code is bound to the port used (RFC 8252 §7.3)', async () => {
  const fields = await consent({ ...validPublic(), redirect_uri: 'http://127.0.0.1:51234/cb' })
  assert.equal(fields.redirect_uri, 'http://127.0.0.1:51234/cb')
  const code = redirectedTo(await decide({ ...fields, decision: 'allow' }), 'http://127.0.0.1:51234/cb').get('code')!
  const row = await t.app.db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', hashSecret(code)).executeTakeFirstOrThrow()
  assert.equal(row.redirect_uri, 'http://127.0.0.1:51234/cb')
})

test('open redirect: the loopback port leniency covers neither localhost, nor the path, nor other hosts', async () => {
  const localhostApp = await insertApp(t.app, { isPublic: true, redirectUris: ['http://localhost:7777/cb'] })
  assertErrorPage(await authorize({ ...validPublic(), client_id: localhostApp.clientId, redirect_uri: 'http://localhost:8888/cb' }), /does not match any registered/)
  for (const redirectUri of ['http://127.0.0.1:51234/other', 'http://127.0.0.1:51234/cb/', 'https://127.0.0.1:51234/cb', 'http://[::1]:51234/cb', 'http://127.0.0.1:51234@evil.example/cb']) {
    assertErrorPage(await authorize({ ...validPublic(), redirect_uri: redirectUri }), /does not match any registered/)
  }
})

test('Allow without PKCE (a confidential app) stores no challenge', async () => {
  const response = await decide({ ...(await consent(valid())), decision: 'allow' })
  const code = redirectedTo(response).get('code')!
  const row = await t.app.db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', hashSecret(code)).executeTakeFirstOrThrow()
  assert.equal(row.code_challenge, null)
  assert.equal(row.code_challenge_method, null)
  assert.equal(row.redirect_uri, REDIRECT)
})

test("Allow keeps the redirect URI's own query and adds code, state and iss", async () => {
  const withQuery = await insertApp(t.app, { redirectUris: ['https://client.example/cb?tenant=a%20b'] })
  const response = await decide({ ...(await consent({ client_id: withQuery.clientId, response_type: 'code', state: 'a&b=c' })), decision: 'allow' })
  const location = new URL(response.headers.location as string)
  assert.ok((response.headers.location as string).startsWith('https://client.example/cb?tenant=a%20b&code=gth_ac_'))
  assert.equal(location.searchParams.get('tenant'), 'a b')
  assert.equal(location.searchParams.get('state'), 'a&b=c')
  assert.equal(location.searchParams.get('iss'), t.config.issuer)
})

test('Deny redirects with access_denied, state and iss, and creates nothing', async () => {
  const grantsBefore = (await t.app.db.selectFrom('grants').selectAll().execute()).length
  const response = await decide({ ...(await consent(valid())), decision: 'deny' })
  assertErrorRedirect(response, 'access_denied', /denied/)
  assert.equal(redirectedTo(response).get('code'), null)
  assert.equal((await t.app.db.selectFrom('grants').selectAll().execute()).length, grantsBefore)
})

test('CSRF: a decision posted without the form token is refused and issues no code', async () => {
  const fields = await consent(valid())
  const codesBefore = (await t.app.db.selectFrom('authorization_codes').selectAll().execute()).length
  for (const csrf_token of [undefined, 'A'.repeat(43)]) {
    const response = await decide({ ...fields, csrf_token, decision: 'allow' })
    assert.equal(response.statusCode, 403)
    assert.match(response.body, /This form has expired; go back and try again/)
  }
  assert.equal((await t.app.db.selectFrom('authorization_codes').selectAll().execute()).length, codesBefore)
})

test('the decision is validated again: a redirect_uri changed in the form gets an error page', async () => {
  const fields = await consent(valid())
  assertErrorPage(await decide({ ...fields, redirect_uri: 'https://evil.example/callback', decision: 'allow' }), /does not match any registered/)
})

test('the decision is validated again: a scope widened in the form is an invalid_scope', async () => {
  const fields = await consent(valid())
  assertErrorRedirect(await decide({ ...fields, scope: 'account issue:write', decision: 'allow' }), 'invalid_scope', /issue:write/)
})

test('a decision after the session ended on the server (idle, expired) sends the user to sign in, then back to the same request', async () => {
  const browser = await signIn(t.app)
  const fields = await consent(valid(), browser)
  await t.app.db.deleteFrom('sessions').where('token_hash', '=', hashSecret(browser.gatehouse_session)).execute()
  const response = await decide({ ...fields, decision: 'allow' }, browser)
  assert.equal(response.statusCode, 303)
  const location = new URL(response.headers.location as string, 'http://gatehouse.test')
  assert.equal(location.pathname, '/login')
  const returnTo = new URL(location.searchParams.get('return_to')!, 'http://gatehouse.test')
  assert.equal(returnTo.pathname, '/oauth/authorize')
  assert.deepEqual(Object.fromEntries(returnTo.searchParams), valid())
})

test('an unknown decision is a 400 page', async () => {
  const response = await decide({ ...(await consent(valid())), decision: 'maybe' })
  assert.equal(response.statusCode, 400)
  assert.match(response.headers['content-type'] as string, /text\/html/)
})

test('the sign-in page during an authorization names the app, looked up by client_id, and nothing else', async () => {
  const loginFor = async (returnTo: string) => (await t.app.inject({ method: 'GET', url: `/login?return_to=${encodeURIComponent(returnTo)}` })).body
  const heading = (body: string) => /<h1 id="title">(.*?)<\/h1>/.exec(body)?.[1]

  const signedOut = await authorize(valid(), {})
  const page = await t.app.inject({ method: 'GET', url: signedOut.headers.location as string })
  assert.equal(heading(page.body), 'Sign in to continue to <span class="app-name">Example app</span>')
  assert.match(page.body, /After you sign in, Gatehouse shows what <span class="app-name">Example app<\/span> asks for, and you decide\./)

  const evil = await insertApp(t.app, { name: '<img src=x onerror=alert(1)>', redirectUris: [REDIRECT] })
  assert.equal(heading(await loginFor(`/oauth/authorize?client_id=${evil.clientId}`)), 'Sign in to continue to <span class="app-name">&lt;img src=x onerror=alert(1)&gt;</span>')

  const disabled = await insertApp(t.app, { name: 'Disabled app', redirectUris: [REDIRECT], disabledAt: t.app.clock.now() })
  const machine = await insertApp(t.app, { name: 'Machine app', redirectUris: [REDIRECT], grantTypes: ['client_credentials'] })
  for (const returnTo of [
    `/oauth/authorize?client_id=unknown&app_name=Fake+Bank`,
    `/oauth/authorize?client_id=${disabled.clientId}`,
    `/oauth/authorize?client_id=${machine.clientId}`,
    `/oauth/authorize?client_id=${confidential.clientId}&client_id=${publicApp.clientId}`,
    `/settings?client_id=${confidential.clientId}`,
    `//evil.example/oauth/authorize?client_id=${confidential.clientId}`,
    '/',
  ]) {
    assert.equal(heading(await loginFor(returnTo)), 'Sign in to Gatehouse', returnTo)
  }
})

test('the sign-in page keeps naming the app after a wrong password', async () => {
  const signedOut = await authorize(valid(), {})
  const page = await t.app.inject({ method: 'GET', url: signedOut.headers.location as string })
  const wrong = await t.app.inject({
    method: 'POST', url: '/login', cookies: cookiesFrom(page),
    ...form({ username: 'ada', password: 'not the password', csrf_token: hiddenField(page.body, 'csrf_token'), return_to: hiddenField(page.body, 'return_to') }),
  })
  assert.equal(wrong.statusCode, 401)
  assert.match(wrong.body, /<h1 id="title">Sign in to continue to <span class="app-name">Example app<\/span><\/h1>/)
  assert.match(wrong.body, /Incorrect username or password/)
})

test('signing in through the authorize redirect lands on the consent page', async () => {
  const first = await authorize(valid(), {})
  const loginUrl = first.headers.location as string
  const page = await t.app.inject({ method: 'GET', url: loginUrl })
  const browser = cookiesFrom(page)
  const signedIn = await t.app.inject({
    method: 'POST',
    url: '/login',
    cookies: browser,
    ...form({ username: 'ada', password: 'correct horse battery', csrf_token: hiddenField(page.body, 'csrf_token'), return_to: hiddenField(page.body, 'return_to') }),
  })
  assert.equal(signedIn.statusCode, 303)
  cookiesFrom(signedIn, browser)
  const consentPage = await t.app.inject({ method: 'GET', url: signedIn.headers.location as string, cookies: browser })
  assert.equal(consentPage.statusCode, 200)
  assert.match(consentPage.body, /Allow <span class="app-name">Example app<\/span>/)
})

test('a decision posted after signing out is refused as expired and issues no code', async () => {
  const browser = await signIn(t.app)
  const fields = await consent(valid(), browser)
  const out = await t.app.inject({ method: 'POST', url: '/logout', cookies: browser, ...form({ csrf_token: fields.csrf_token }) })
  assert.equal(out.statusCode, 303)
  cookiesFrom(out, browser)
  const codesBefore = (await t.app.db.selectFrom('authorization_codes').selectAll().execute()).length
  const response = await decide({ ...fields, decision: 'allow' }, browser)
  assert.equal(response.statusCode, 403)
  assert.match(response.headers['content-type'] as string, /text\/html/)
  assert.match(response.body, /This form has expired; go back and try again/)
  assert.equal((await t.app.db.selectFrom('authorization_codes').selectAll().execute()).length, codesBefore)
})

test("CSRF: a consent form from another session is refused, even the same user's", async () => {
  const other = await signIn(t.app)
  const fields = await consent(valid(), other)
  const response = await decide({ ...fields, decision: 'allow' }, jar)
  assert.equal(response.statusCode, 403)
  assert.match(response.body, /This form has expired/)
})

test('a decision posted from another origin, or marked cross-site by the browser, is refused and issues no code', async () => {
  const fields = await consent(valid())
  const codesBefore = (await t.app.db.selectFrom('authorization_codes').selectAll().execute()).length
  const refused: Record<string, string>[] = [{ origin: 'https://client.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }]
  for (const headers of refused) {
    const response = await t.app.inject({ method: 'POST', url: '/oauth/authorize/decision', cookies: jar, ...form({ ...fields, decision: 'allow' }, headers) })
    assert.equal(response.statusCode, 403, JSON.stringify(headers))
    assert.match(response.headers['content-type'] as string, /text\/html/)
    assert.match(response.body, /This form was not sent from a Gatehouse page/)
  }
  assert.equal((await t.app.db.selectFrom('authorization_codes').selectAll().execute()).length, codesBefore)
  const fromOurPage = await t.app.inject({
    method: 'POST',
    url: '/oauth/authorize/decision',
    cookies: jar,
    ...form({ ...fields, decision: 'allow' }, { origin: new URL(t.config.issuer).origin, 'sec-fetch-site': 'same-origin' }),
  })
  assert.match(redirectedTo(fromOurPage).get('code') ?? '', /.+/)
})

// prompt (OpenID Connect Core §3.1.2.1)

test('prompt=none without a session answers login_required to the client, with state and iss', async () => {
  const response = await authorize({ ...valid(), prompt: 'none' }, {})
  assertErrorRedirect(response, 'login_required', /not signed in/)
  assert.equal(redirectedTo(response).get('code'), null)
})

test('prompt=none with a session that went idle answers login_required', async () => {
  const browser = await signIn(t.app)
  await t.app.db.updateTable('sessions').set({ last_seen_at: 0 }).where('token_hash', '=', hashSecret(browser.gatehouse_session)).execute()
  assertErrorRedirect(await authorize({ ...valid(), prompt: 'none' }, browser), 'login_required', /not signed in/)
})

test('prompt=none with a session answers consent_required where the consent page would be shown, and creates nothing', async () => {
  const grantsBefore = (await t.app.db.selectFrom('grants').selectAll().execute()).length
  const response = await authorize({ ...valid(), prompt: 'none' })
  assertErrorRedirect(response, 'consent_required', /not yet allowed/)
  assert.equal((await t.app.db.selectFrom('grants').selectAll().execute()).length, grantsBefore)
})

test('prompt=none still shows an error page, not a redirect, for an unknown client or redirect URI', async () => {
  assertErrorPage(await authorize({ ...valid(), client_id: 'nope', prompt: 'none' }, {}), /not known to Gatehouse/)
  assertErrorPage(await authorize({ ...valid(), redirect_uri: 'https://evil.example/cb', prompt: 'none' }, {}), /does not match any registered/)
})

test('prompt=none combined with another value is an invalid_request', async () => {
  for (const prompt of ['none login', 'none consent', 'consent none']) {
    assertErrorRedirect(await authorize({ ...valid(), prompt }), 'invalid_request', /prompt=none cannot be combined/)
    assertErrorRedirect(await authorize({ ...valid(), prompt }, {}), 'invalid_request', /prompt=none cannot be combined/)
  }
})

test('an unknown prompt value, or a repeated prompt, is an invalid_request', async () => {
  for (const prompt of ['select_account', 'create', 'login foo', 'NONE']) {
    assertErrorRedirect(await authorize({ ...valid(), prompt }), 'invalid_request', /is not supported/)
  }
  assertErrorRedirect(await authorize({ ...valid(), prompt: ['login', 'consent'] }), 'invalid_request', /"prompt" is repeated/)
})

test('prompt=consent shows the consent page, and the decision form carries it back', async () => {
  const fields = await consent({ ...valid(), prompt: 'consent' })
  assert.equal(fields.prompt, 'consent')
  assert.match(redirectedTo(await decide({ ...fields, decision: 'allow' })).get('code') ?? '', /.+/)
})

test('prompt=login without a session signs in as usual, returning to the request without prompt=login', async () => {
  const response = await authorize({ ...valid(), prompt: 'login consent' }, {})
  const location = new URL(response.headers.location as string, 'http://gatehouse.test')
  assert.equal(location.pathname, '/login')
  assert.equal(location.searchParams.get('again'), null)
  const returnTo = new URL(location.searchParams.get('return_to')!, 'http://gatehouse.test')
  assert.deepEqual(Object.fromEntries(returnTo.searchParams), { ...valid(), prompt: 'consent' })
})

test('prompt=login forces a sign-in despite a live session; afterwards the authorization continues to consent, without a loop', async () => {
  const browser = await signIn(t.app)
  const oldSession = browser.gatehouse_session
  const first = await authorize({ ...valid(), prompt: 'login' }, browser)
  assert.equal(first.statusCode, 303)
  const location = new URL(first.headers.location as string, 'http://gatehouse.test')
  assert.equal(location.pathname, '/login')
  assert.equal(location.searchParams.get('again'), '1')
  assert.equal(location.searchParams.get('return_to'), `/oauth/authorize?${new URLSearchParams(valid())}`)

  const loginPage = await t.app.inject({ method: 'GET', url: `${location.pathname}${location.search}`, cookies: browser })
  assert.match(loginPage.body, /<h1 id="title">Sign in again to continue to <span class="app-name">Example app<\/span><\/h1>/)
  cookiesFrom(loginPage, browser)
  const signedIn = await t.app.inject({
    method: 'POST',
    url: '/login',
    cookies: browser,
    // The sign-in form's token, not the header's sign-out form (the browser is still signed in).
    ...form({ username: 'ada', password: 'correct horse battery', csrf_token: hiddenField(loginPage.body.slice(loginPage.body.indexOf('action="/login"')), 'csrf_token'), return_to: hiddenField(loginPage.body, 'return_to') }),
  })
  assert.equal(signedIn.statusCode, 303)
  cookiesFrom(signedIn, browser)
  assert.notEqual(browser.gatehouse_session, oldSession, 'a new session')
  assert.equal(
    await t.app.db.selectFrom('sessions').select('id').where('token_hash', '=', hashSecret(oldSession)).executeTakeFirst(),
    undefined,
    'the old session ended',
  )

  const consentPage = await t.app.inject({ method: 'GET', url: signedIn.headers.location as string, cookies: browser })
  assert.equal(consentPage.statusCode, 200, 'the consent page, not another sign-in')
  assert.match(consentPage.body, /Allow <span class="app-name">Example app<\/span>/)
  const fields: Record<string, string> = { csrf_token: hiddenField(consentPage.body, 'csrf_token') }
  for (const name of ['client_id', 'redirect_uri', 'response_type', 'scope', 'state']) fields[name] = hiddenField(consentPage.body, name)
  assert.match(redirectedTo(await decide({ ...fields, decision: 'allow' }, browser)).get('code') ?? '', /.+/)
})
