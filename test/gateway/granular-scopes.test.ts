import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { ClassicScopeMode } from '../../src/domain/scopes.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { acme, type Caller } from '../platform/fixtures.js'
import { addClient, addUser, asClient, TestClock } from '../oauth/fixtures.js'

// The sample catalogue deprecates every classic scope on 2027-06-07.
const DEPRECATION_DAY = Date.UTC(2027, 5, 7)
const BEFORE = DEPRECATION_DAY - 86_400_000
const AFTER = DEPRECATION_DAY + 86_400_000

interface Deployment {
  t: TestApp
  clock: TestClock
  ada: Caller
}

const deployments = new Map<ClassicScopeMode, Deployment>()

before(async () => {
  for (const mode of ['allow', 'warn', 'refuse'] as const) {
    const clock = new TestClock(BEFORE)
    const t = await startTestApp({ classicScopes: mode }, { clock })
    const { ada } = await acme(t.app)
    deployments.set(mode, { t, clock, ada })
  }
})
after(async () => {
  for (const { t } of deployments.values()) await t.close()
})

function deployment(mode: ClassicScopeMode, at: number): Deployment {
  const found = deployments.get(mode)!
  found.clock.t = at
  return found
}

async function call(d: Deployment, url: string, scope: string) {
  return d.t.app.inject({ url, headers: await d.ada.auth(scope) })
}

test('a token passes holding every scope of either requirement: the classic one or the granular one', async () => {
  const d = deployment('refuse', BEFORE)
  assert.equal((await call(d, '/2.0/repositories/acme', 'repository')).statusCode, 200)
  assert.equal((await call(d, '/2.0/repositories/acme', 'read:repository')).statusCode, 200)
  assert.equal((await call(d, '/2.0/workspaces/acme/members', 'workspace')).statusCode, 200)
  assert.equal((await call(d, '/2.0/workspaces/acme/members', 'read:workspace read:workspace-member')).statusCode, 200)
})

test('holding only some scopes of a requirement is refused, and the 403 names the requirement and what is missing', async () => {
  const d = deployment('allow', BEFORE)
  const response = await call(d, '/2.0/workspaces/acme/members', 'read:workspace')
  assert.equal(response.statusCode, 403)
  assert.equal(response.headers['www-authenticate'], 'Bearer error="insufficient_scope", scope="read:workspace read:workspace-member"')
  assert.equal(response.json().error.code, 'insufficient_scope')
  assert.equal(response.json().error.message, 'This operation needs every one of the scopes read:workspace read:workspace-member (the token lacks read:workspace-member): holding only some of them is not enough')
  assert.equal((await call(d, '/2.0/workspaces/acme/members', 'read:workspace read:workspace-member')).statusCode, 200)
})

test('a classic token is pointed at the granular scopes, never at another deprecated one', async () => {
  const d = deployment('allow', BEFORE)
  const response = await call(d, '/2.0/repositories/acme', 'issue')
  assert.equal(response.statusCode, 403)
  assert.equal(response.headers['www-authenticate'], 'Bearer error="insufficient_scope", scope="read:repository"')
  assert.equal(response.json().error.message, 'This operation needs the scope read:repository')
})

test('before the deprecation day classic scopes work in every mode, with no Deprecation header', async () => {
  for (const mode of ['allow', 'warn', 'refuse'] as const) {
    const response = await call(deployment(mode, BEFORE), '/2.0/user', 'account')
    assert.equal(response.statusCode, 200, mode)
    assert.equal(response.headers.deprecation, undefined, mode)
  }
})

test('past the day, allow: a classic token still works, silently', async () => {
  const response = await call(deployment('allow', AFTER), '/2.0/user', 'account')
  assert.equal(response.statusCode, 200)
  assert.equal(response.headers.deprecation, undefined)
})

test('past the day, warn: a classic token works, with a Deprecation header and a link to the scope reference, and the use is counted', async () => {
  const d = deployment('warn', AFTER)
  const response = await call(d, '/2.0/user', 'account')
  assert.equal(response.statusCode, 200)
  assert.equal(response.headers.deprecation, `@${DEPRECATION_DAY / 1000}`)
  assert.equal(response.headers.link, `<${d.t.config.issuer}/docs/scopes>; rel="deprecation"; type="text/html"`)
  const metrics = await d.t.app.inject({ url: '/metrics' })
  assert.match(metrics.body, /gatehouse_deprecated_scope_uses_total\{scope="account"\} [1-9]/)
  // A token holding the granular scope as well passes through the granular requirement: no warning.
  const both = await call(d, '/2.0/user', 'account read:user')
  assert.equal(both.statusCode, 200)
  assert.equal(both.headers.deprecation, undefined)
})

test('past the day, refuse: a classic scope no longer counts, and the 403 names its granular replacement', async () => {
  const d = deployment('refuse', AFTER)
  const response = await call(d, '/2.0/user', 'account')
  assert.equal(response.statusCode, 403)
  assert.equal(response.headers['www-authenticate'], 'Bearer error="insufficient_scope", scope="read:user"')
  assert.equal((await call(d, '/2.0/user', 'read:user')).statusCode, 200)
})

test('new authorizations: a classic scope is granted before its day and refused from it with invalid_scope naming the replacements', async () => {
  const d = deployment('allow', BEFORE)
  const client = await addClient(d.t.app, { name: 'Classic client', grantTypes: ['client_credentials'], scopes: ['repository', 'read:repository'], ownerId: await addUser(d.t.app, 'owner') })
  const early = await asClient(d.t.app, client, '/oauth/token', { grant_type: 'client_credentials', scope: 'repository' })
  assert.equal(early.statusCode, 200)
  assert.equal(early.json().scope, 'repository')

  d.clock.t = AFTER
  const late = await asClient(d.t.app, client, '/oauth/token', { grant_type: 'client_credentials', scope: 'repository' })
  assert.equal(late.statusCode, 400)
  assert.deepEqual(late.json(), { error: 'invalid_scope', error_description: 'Deprecated scope: repository (deprecated on 2027-06-07; ask for read:repository instead)' })
  // Asking for nothing gets what the app may still be granted: the granular scope only.
  const widest = await asClient(d.t.app, client, '/oauth/token', { grant_type: 'client_credentials' })
  assert.equal(widest.statusCode, 200)
  assert.equal(widest.json().scope, 'read:repository')
})

test('an authorization request for a deprecated scope is refused at /oauth/authorize, back at the app with invalid_scope', async () => {
  const d = deployment('allow', AFTER)
  const client = await addClient(d.t.app, { name: 'Classic web app', scopes: ['issue', 'read:issue'] })
  const response = await d.t.app.inject({
    url: `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.app.clientId, redirect_uri: 'https://client.example/callback', scope: 'issue', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256', state: 's' })}`,
  })
  assert.equal(response.statusCode, 303, String(response.headers.location))
  const location = new URL(response.headers.location as string)
  assert.equal(`${location.origin}${location.pathname}`, 'https://client.example/callback')
  assert.equal(location.searchParams.get('error'), 'invalid_scope')
  assert.equal(location.searchParams.get('error_description'), 'Deprecated scope: issue (deprecated on 2027-06-07; ask for read:issue read:issue-comment instead)')
})

test('an app may not ask for a scope the catalogue does not know: invalid_scope naming it', async () => {
  const d = deployment('allow', BEFORE)
  const client = await addClient(d.t.app, { name: 'Granular client', grantTypes: ['client_credentials'], scopes: ['read:user'], ownerId: await addUser(d.t.app, 'owner2') })
  const response = await asClient(d.t.app, client, '/oauth/token', { grant_type: 'client_credentials', scope: 'read:everything' })
  assert.deepEqual(response.json(), { error: 'invalid_scope', error_description: 'Unknown scope: read:everything' })
})
