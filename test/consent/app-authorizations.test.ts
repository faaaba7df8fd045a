import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { apiStatus } from '../admin/fixtures.js'
import { refresh, REDIRECT_URI, VERIFIER } from '../oauth/fixtures.js'
import { s256Challenge } from '../../src/domain/pkce.js'
import { buildServer } from '../../src/server.js'
import type { TestApp } from '../support/app.js'
import { form, hiddenField, signIn, startWebApp } from '../web/fixtures.js'
import { allowOAuth, classicAddOn, decideInstallation, denyOAuth, oauthApp, person, tokensUnder, workspace } from './fixtures.js'

const PAGE = '/account/app-authorizations'
const ORIGIN = { origin: 'http://127.0.0.1:8080' }
let t: TestApp

before(async () => {
  t = await startWebApp({ issuer: 'http://127.0.0.1:8080', audience: 'http://127.0.0.1:8080/2.0' })
})

after(async () => {
  await t?.close()
})

async function browserOf(username: string) {
  const jar = await signIn(t.app, username)
  const page = await t.app.inject({ method: 'GET', url: PAGE, cookies: jar })
  return { jar, csrf: hiddenField(page.body, 'csrf_token') }
}

function view(jar: Record<string, string>, url = PAGE) {
  return t.app.inject({ method: 'GET', url, cookies: jar })
}

/** Posts the Revoke (or Remove denial) form; `csrf: 'none'` leaves the token out. */
function revoke(browser: { jar: Record<string, string>; csrf: string }, decisionId: string, csrf: 'token' | 'none' = 'token') {
  return t.app.inject({ method: 'POST', url: `${PAGE}/${decisionId}/revoke`, cookies: browser.jar, ...form({ csrf_token: csrf === 'token' ? browser.csrf : undefined }, { ...ORIGIN, accept: 'text/html' }) })
}

function decisionCount(userId: string) {
  return t.app.db.selectFrom('consent_decisions').select('id').where('user_id', '=', userId).execute().then((rows) => rows.length)
}

/** The authorization request an app would send; the answer says whether the user is asked. */
function authorize(jar: Record<string, string>, clientId: string, scope: string) {
  const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: REDIRECT_URI, scope, state: 'xyz', code_challenge: s256Challenge(VERIFIER), code_challenge_method: 'S256' })
  return t.app.inject({ method: 'GET', url: `/oauth/authorize?${query}`, cookies: jar })
}

test('the page lists every approval and denial: app, vendor, workspace, scopes in plain words, decision, dates, and a grace note', async () => {
  const vendor = await person(t.app, 'vendor1', 'Acme Tools')
  const ada = await person(t.app, 'ada1')
  const team = await workspace(t.app, 'team1', 'The Team', [ada.id])
  await workspace(t.app, 'side1', 'Side Project', [ada.id])
  const tracker = await oauthApp(t.app, 'Tracker', vendor.id)
  const nosy = await oauthApp(t.app, 'Nosy Widgets', null)
  const trackerDecision = await allowOAuth(t.app, ada.id, tracker, ['account', 'repository'], ['team1'])
  await denyOAuth(t.app, ada.id, nosy, ['account', 'issue:write'])
  const addOn = await classicAddOn(t.app, 'classic-board', vendor.id, team)
  await decideInstallation(t.app, ada.id, addOn, 'allow', ['repository', 'act_as_user'])
  const graceEndsAt = Date.UTC(2027, 0, 21)
  await t.app.db.updateTable('consent_decisions').set({ grace_ends_at: graceEndsAt }).where('id', '=', trackerDecision).execute()

  const page = await view((await browserOf('ada1')).jar)
  assert.equal(page.statusCode, 200)
  assert.equal(page.headers['cache-control'], 'no-store')
  const body = page.body
  assert.match(body, /<h1 id="title">App authorizations<\/h1>/)
  assert.match(body, /<a href="\/account\/app-authorizations" aria-current="page">App authorizations<\/a>/, 'Account group, current')
  assert.match(body, /<h2 id="approvals-heading">Allowed <span class="count">2<\/span><\/h2>/)
  assert.match(body, /<h2 id="denials-heading">Denied <span class="count">1<\/span><\/h2>/)

  const card = (name: string) => {
    const start = body.indexOf(`>${name}</h3>`)
    assert.ok(start > 0, `a card for ${name}`)
    return body.slice(start, body.indexOf('</li>\n', body.indexOf('</form>', start)))
  }
  const trackerCard = card('Tracker')
  assert.match(trackerCard, /by <strong>Acme Tools<\/strong> · OAuth app/)
  assert.match(trackerCard, /<span class="badge ok">Allowed<\/span>/)
  assert.match(trackerCard, /Read your account/i)
  assert.match(trackerCard, /<code>repository<\/code>/)
  assert.match(trackerCard, /<dt>Workspaces<\/dt><dd><ul class="bare inline"><li>The Team <span class="muted">\(team1\)<\/span><\/li><\/ul><\/dd>/)
  assert.doesNotMatch(trackerCard, /Side Project/)
  assert.match(trackerCard, /Tracker asks for new permissions; your approval ends on <time datetime="2027-01-21T00:00:00.000Z"[^>]*>21 Jan 2027<\/time>/)
  assert.match(trackerCard, /<dt>Last used<\/dt><dd><span class="muted">Not since you allowed it<\/span><\/dd>/)
  assert.match(trackerCard, /data-confirm="Revoke Tracker&#39;s access\?[^"]*"/)
  assert.match(trackerCard, />Revoke<\/button>/)

  const addOnCard = card('App classic-board')
  assert.match(addOnCard, /Installed app/)
  assert.match(addOnCard, /<dt>Workspace<\/dt><dd>The Team <span class="muted">\(team1\)<\/span><\/dd>/)
  assert.match(addOnCard, /Act on behalf of members of this workspace<\/span><span class="permission-meta"><code>act_as_user<\/code> <span class="badge warn">Impersonation<\/span>/)

  const nosyCard = card('Nosy Widgets')
  assert.match(nosyCard, /<span class="badge danger">Denied<\/span>/)
  assert.match(nosyCard, /It asked to:/)
  assert.match(nosyCard, /<code>issue:write<\/code> <span class="badge warn">Can change data<\/span>/)
  assert.doesNotMatch(nosyCard, /Last used|Workspaces/)
  assert.doesNotMatch(nosyCard, /data-confirm/)
  assert.match(nosyCard, />Remove denial<\/button>/)
})

test('with no decisions, the page says what will appear there', async () => {
  await person(t.app, 'new2')
  const page = await view((await browserOf('new2')).jar)
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /You have not allowed or denied any app yet\./)
  assert.match(page.body, /your decision is remembered and listed here/)
})

test('revoking an approval ends it and the tokens issued under it; the app asks again', async () => {
  const ada = await person(t.app, 'ada3')
  const client = await oauthApp(t.app, 'Sync Robot', null)
  const decisionId = await allowOAuth(t.app, ada.id, client, ['account'])
  const tokens = await tokensUnder(t.app, client, ada.id, 'account')
  assert.equal(await apiStatus(t.app, tokens.accessToken), 200)
  const browser = await browserOf('ada3')
  assert.equal((await authorize(browser.jar, client.app.clientId, 'account')).statusCode, 303, 'approved: straight back to the app')

  const revoked = await revoke(browser, decisionId)
  assert.equal(revoked.statusCode, 303)
  assert.equal(revoked.headers.location, `${PAGE}?ended=approval&app=${client.app.clientId}`)
  assert.equal(await decisionCount(ada.id), 0)
  assert.equal(await apiStatus(t.app, tokens.accessToken), 401, 'the access token stops working at once')
  const refreshed = await refresh(t.app, client, tokens.refreshToken)
  assert.equal(refreshed.statusCode, 400)
  assert.equal(refreshed.json().error, 'invalid_grant')

  const page = await view(browser.jar, revoked.headers.location as string)
  assert.match(page.body, /role="status">Sync Robot no longer has your approval, and the tokens it held stopped working\./)
  assert.match(page.body, /You have not allowed or denied any app yet\./)
  const asked = await authorize(browser.jar, client.app.clientId, 'account')
  assert.equal(asked.statusCode, 200, 'the next request asks again')
  assert.match(asked.body, /Allow <span class="app-name">Sync Robot<\/span> to access your account\?/)
})

test('removing a denial lifts it: the app may ask again', async () => {
  const ada = await person(t.app, 'ada4')
  const client = await oauthApp(t.app, 'Pushy', null)
  const decisionId = await denyOAuth(t.app, ada.id, client, ['account'])
  const browser = await browserOf('ada4')
  const refused = await authorize(browser.jar, client.app.clientId, 'account')
  assert.equal(refused.statusCode, 303)
  assert.match(refused.headers.location as string, /error=access_denied/)

  const lifted = await revoke(browser, decisionId)
  assert.equal(lifted.statusCode, 303)
  assert.equal(lifted.headers.location, `${PAGE}?ended=denial&app=${client.app.clientId}`)
  assert.equal(await decisionCount(ada.id), 0)
  const page = await view(browser.jar, lifted.headers.location as string)
  assert.match(page.body, /role="status">Your denial of Pushy is removed\. It may ask you again the next time it needs access\./)
  assert.equal((await authorize(browser.jar, client.app.clientId, 'account')).statusCode, 200, 'asked again')
})

test("someone else's decision cannot be revoked (404, as if it did not exist); a post without the CSRF token changes nothing", async () => {
  const ada = await person(t.app, 'ada5')
  await person(t.app, 'eve5')
  const client = await oauthApp(t.app, 'Target', null)
  const decisionId = await allowOAuth(t.app, ada.id, client, ['account'])
  const tokens = await tokensUnder(t.app, client, ada.id, 'account')

  const eve = await browserOf('eve5')
  const refused = await revoke(eve, decisionId)
  assert.equal(refused.statusCode, 404)
  assert.match(refused.headers['content-type'] as string, /text\/html/)
  assert.doesNotMatch((await view(eve.jar)).body, /Target/, "Eve's page does not list Ada's decision")

  const adaBrowser = await browserOf('ada5')
  assert.equal((await revoke(adaBrowser, decisionId, 'none')).statusCode, 403)
  assert.equal((await revoke(adaBrowser, 'no-such-decision')).statusCode, 404)
  assert.equal(await decisionCount(ada.id), 1)
  assert.equal(await apiStatus(t.app, tokens.accessToken), 200)
})

test('signed out, the page sends the browser to sign in; every page header links to it', async () => {
  const signedOut = await t.app.inject({ method: 'GET', url: PAGE })
  assert.equal(signedOut.statusCode, 303)
  assert.equal(signedOut.headers.location, `/login?return_to=${encodeURIComponent(PAGE)}`)
  await person(t.app, 'ada6')
  const { jar } = await browserOf('ada6')
  for (const url of ['/', '/settings/profile', '/account/labs', PAGE]) {
    const page = await view(jar, url)
    assert.match(page.body, /<header class="site">[\s\S]*<a class="account-link" href="\/account\/app-authorizations">App authorizations<\/a>[\s\S]*<\/header>/, url)
  }
})

test('a revocation on one node stops the token on another within a second, although that node had it cached', async () => {
  const first = await startWebApp({ issuer: 'http://127.0.0.1:8080', audience: 'http://127.0.0.1:8080/2.0', revocationPollMs: 50 })
  const second = await buildServer(first.config)
  await second.ready()
  try {
    const ada = await person(first.app, 'ada7')
    const client = await oauthApp(first.app, 'Everywhere', null)
    const decisionId = await allowOAuth(first.app, ada.id, client, ['account'])
    const tokens = await tokensUnder(first.app, client, ada.id, 'account')
    assert.equal(await apiStatus(second, tokens.accessToken), 200, 'verified, and now cached on the second node')

    const jar = await signIn(first.app, 'ada7')
    const csrf = hiddenField((await first.app.inject({ method: 'GET', url: PAGE, cookies: jar })).body, 'csrf_token')
    const revoked = await first.app.inject({ method: 'POST', url: `${PAGE}/${decisionId}/revoke`, cookies: jar, ...form({ csrf_token: csrf }, ORIGIN) })
    assert.equal(revoked.statusCode, 303)
    const deadline = Date.now() + 1000
    let status = await apiStatus(second, tokens.accessToken)
    while (status !== 401 && Date.now() < deadline) {
      await sleep(20)
      status = await apiStatus(second, tokens.accessToken)
    }
    assert.equal(status, 401)
  } finally {
    await second.close()
    await first.close()
  }
})
