import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { createApp } from '../../src/apps/apps.service.js'
import { findAppByClientId } from '../../src/apps/apps.queries.js'
import { s256Challenge } from '../../src/domain/pkce.js'
import type { TestApp } from '../support/app.js'
import { cookiesFrom, form, hiddenField, insertUser, signedInCsrf, signIn, startWebApp } from '../web/fixtures.js'

// The playground against a listening Gatehouse: its server calls the issuer over real HTTP, as a client would.
let t: TestApp

before(async () => {
  t = await startWebApp({ playground: true }, { listen: true })
  await insertUser(t.app)
})

// These tests are about the consent page: each starts with no decision remembered (test/consent covers remembering).
beforeEach(async () => {
  await t.app.db.deleteFrom('consent_decisions').execute()
})

after(() => t?.close())

function decode(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
}

/** The markup of one step's panel. */
function stepOf(body: string, n: number): string {
  const match = new RegExp(`<section class="panel playground-step" id="step-${n}"[\\s\\S]*?</section>`).exec(body)
  assert.ok(match, `step ${n} on the page`)
  return decode(match[0])
}

/** The text of the request and response blocks a step shows. */
function shown(body: string, n: number): { request: string; response: string } {
  const blocks = [...stepOf(body, n).matchAll(/<pre class="http"><code>([\s\S]*?)<\/code><\/pre>/g)].map((m) => m[1])
  assert.equal(blocks.length, 2, `step ${n} shows a request and a response`)
  return { request: blocks[0], response: blocks[1] }
}

function factOf(body: string, name: string): string {
  const match = new RegExp(`<dt>${name}</dt><dd><code>([^<]+)</code>`).exec(body)
  assert.ok(match, `${name} shown`)
  return match[1]
}

function pathOf(location: string | string[] | number | undefined): string {
  const url = new URL(String(location), t.config.issuer)
  return `${url.pathname}${url.search}`
}

/** A browser: its cookies, signed in as ada or not. */
async function browser(signedIn: boolean) {
  const jar: Record<string, string> = signedIn ? await signIn(t.app) : {}
  const get = async (url: string) => {
    const response = await t.app.inject({ method: 'GET', url, cookies: jar })
    cookiesFrom(response, jar)
    return response
  }
  const post = async (url: string, fields: Record<string, string | undefined>) => {
    const response = await t.app.inject({ method: 'POST', url, cookies: jar, ...form(fields) })
    cookiesFrom(response, jar)
    return response
  }
  /** Posts a step's form with the session's CSRF token, then shows the page it redirects to. */
  const act = async (url: string, fields: Record<string, string> = {}): Promise<string> => {
    const response = await post(url, { ...fields, csrf_token: await signedInCsrf(t.app, jar) })
    assert.equal(response.statusCode, 303, response.body)
    assert.match(String(response.headers.location), /^\/playground#step-\d$/)
    return (await get('/playground')).body
  }
  return { jar, get, post, act }
}

/** Steps 1–3 through the real authorization endpoint and consent form; returns the browser and the page after the callback. */
async function walkToCallback(scopes = ['read:user', 'read:repository']) {
  const b = await browser(true)
  const start = await b.get(`/playground/start?${scopes.map((s) => `scope=${encodeURIComponent(s)}`).join('&')}`)
  assert.equal(start.statusCode, 303, start.body)
  assert.equal(start.headers.location, '/playground#step-2')
  const page = (await b.get('/playground')).body
  const authorizationUrl = decode(/<a class="button primary" href="([^"]+)">Sign in and allow<\/a>/.exec(page)?.[1] ?? '')
  const consent = await b.get(pathOf(authorizationUrl))
  assert.equal(consent.statusCode, 200, consent.body)
  const fields: Record<string, string> = { csrf_token: hiddenField(consent.body, 'csrf_token'), decision: 'allow' }
  for (const name of ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method']) fields[name] = hiddenField(consent.body, name)
  const decided = await b.post('/oauth/authorize/decision', fields)
  assert.equal(decided.statusCode, 303)
  const callback = String(decided.headers.location)
  assert.ok(callback.startsWith(`${t.config.issuer}/playground/callback?`), callback)
  const back = await b.get(pathOf(callback))
  assert.equal(back.statusCode, 303, back.body)
  assert.equal(back.headers.location, '/playground#step-3')
  return { ...b, page, consent, callback: new URL(callback), after: (await b.get('/playground')).body }
}

test('the playground registers its own public, verified app for this issuer on first use', async () => {
  const page = await t.app.inject({ method: 'GET', url: '/playground' })
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /<h1 id="title">OAuth playground<\/h1>/)
  const app = await findAppByClientId(t.app.db, 'gatehouse-playground')
  assert.ok(app)
  assert.equal(app.isPublic, true)
  assert.equal(app.tokenEndpointAuthMethod, 'none')
  assert.notEqual(app.verifiedAt, null)
  assert.deepEqual(app.redirectUris, [`${t.config.issuer}/playground/callback`])
  assert.deepEqual(app.grantTypes, ['authorization_code', 'refresh_token'])
  assert.deepEqual([...app.scopes].sort(), t.app.apiDescription.scopes.filter((s) => s.replacedBy === undefined).map((s) => s.name).sort(), 'the granular scopes, none of the deprecated classic ones')
  await t.app.inject({ method: 'GET', url: '/playground' })
  assert.equal((await t.app.db.selectFrom('apps').select('id').where('client_id', '=', 'gatehouse-playground').execute()).length, 1, 'registered once')
})

test('the home page links the playground, signed out and signed in', async () => {
  assert.match((await t.app.inject({ method: 'GET', url: '/' })).body, /<a href="\/playground">Try the playground<\/a>/)
  const b = await browser(true)
  assert.match((await b.get('/')).body, /<a href="\/playground">Open the playground<\/a>/)
})

test('step 1 builds an authorization URL with a fresh state and an S256 challenge of a verifier it keeps', async () => {
  const b = await browser(false)
  const start = await b.get('/playground/start?scope=read:user&scope=read:issue')
  assert.equal(start.statusCode, 303)
  assert.ok(b.jar.gatehouse_playground, 'a cookie names the walk-through')
  assert.match(String(start.headers['set-cookie']), /gatehouse_playground=[A-Za-z0-9_-]{43}; Max-Age=3600; Path=\/; HttpOnly; SameSite=Lax/)
  const page = (await b.get('/playground')).body
  const verifier = factOf(page, 'code_verifier')
  const challenge = factOf(page, 'code_challenge')
  const state = factOf(page, 'state')
  assert.equal(challenge, s256Challenge(verifier))
  const url = new URL(decode(/<a class="button primary" href="([^"]+)">Sign in and allow<\/a>/.exec(page)![1]))
  assert.equal(`${url.origin}${url.pathname}`, `${t.config.issuer}/oauth/authorize`)
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    response_type: 'code', client_id: 'gatehouse-playground', redirect_uri: `${t.config.issuer}/playground/callback`,
    scope: 'read:issue read:user', state, code_challenge: challenge, code_challenge_method: 'S256',
  })
  assert.doesNotMatch(url.search, new RegExp(verifier), 'the verifier stays with the playground')

  const again = await browser(false)
  await again.get('/playground/start?scope=read:user')
  assert.notEqual(factOf((await again.get('/playground')).body, 'state'), state, 'each walk-through has its own state')
})

test('step 1 without a scope, or with one the playground may not ask for, shows the form again with the reason', async () => {
  const b = await browser(false)
  const none = await b.get('/playground/start')
  assert.equal(none.statusCode, 400)
  assert.match(none.body, /<p class="field-error" id="scope-error">Choose at least one scope to ask for<\/p>/)
  assert.doesNotMatch(none.body, /name="scope" value="read:user" checked/, 'nothing ticked, as sent')
  const unknown = await b.get('/playground/start?scope=read:user&scope=superpowers')
  assert.equal(unknown.statusCode, 400)
  assert.match(unknown.body, /The playground cannot ask for superpowers/)
  assert.match(unknown.body, /name="scope" value="read:user" checked/, 'what was chosen is kept')
  assert.equal(b.jar.gatehouse_playground, undefined, 'no walk-through was started')
})

test('the whole walk: real code, tokens, API call, refresh, introspection and revocation, each request and answer shown', async () => {
  const w = await walkToCallback()
  assert.match(w.consent.body, /Allow <span class="app-name">Gatehouse playground<\/span>/)
  assert.match(w.consent.body, /<span class="badge ok">Verified<\/span>/)

  // Step 3: the code came back with the state and iss; the page shows the code only in part.
  const code = w.callback.searchParams.get('code')!
  const three = stepOf(w.after, 3)
  assert.match(three, /<code>state<\/code> is the one sent in step 1/)
  assert.match(three, /<span class="badge ok">OK<\/span> <code>iss<\/code> is this Gatehouse/)
  assert.ok(three.includes(`code=${code.slice(0, 10)}…${code.slice(-4)}`), three)
  assert.ok(!w.after.includes(code), 'the whole code is never on the page')

  // Step 4: the exchange.
  const four = await w.act('/playground/token')
  const exchange = shown(four, 4)
  assert.match(exchange.request, /^POST \/oauth\/token HTTP\/1\.1\nHost: 127\.0\.0\.1:\d+\nAccept: application\/json\nContent-Type: application\/x-www-form-urlencoded\nContent-Length: \d+\n\n/)
  assert.ok(exchange.request.includes(`grant_type=authorization_code&code=${code.slice(0, 10)}…${code.slice(-4)}&redirect_uri=${encodeURIComponent(`${t.config.issuer}/playground/callback`)}&client_id=gatehouse-playground&code_verifier=${factOf(w.page, 'code_verifier')}`), exchange.request)
  assert.doesNotMatch(exchange.request, /client_secret/)
  assert.match(exchange.response, /^HTTP\/1\.1 200 OK\n/)
  assert.match(exchange.response, /\ncache-control: no-store\n/)
  const tokens = JSON.parse(exchange.response.slice(exchange.response.indexOf('\n\n') + 2)) as { access_token: string; refresh_token: string; scope: string }
  assert.equal(tokens.scope, 'read:repository read:user')
  assert.match(tokens.refresh_token, /^gth_rt_/)
  const user = await t.app.inject({ method: 'GET', url: '/2.0/user', headers: { authorization: `Bearer ${tokens.access_token}` } })
  assert.equal(user.statusCode, 200, 'a real access token')
  assert.equal(user.json().username, 'ada')
  assert.doesNotMatch(stepOf(four, 4), /<form/, 'a code is exchanged once')

  // Step 5: the API.
  const five = await w.act('/playground/api')
  const api = shown(five, 5)
  assert.match(api.request, /^GET \/2\.0\/user HTTP\/1\.1\n/)
  assert.ok(api.request.includes(`Authorization: Bearer ${tokens.access_token.slice(0, 10)}…${tokens.access_token.slice(-4)}`), api.request)
  assert.ok(!api.request.includes(tokens.access_token))
  assert.match(api.response, /^HTTP\/1\.1 200 OK\n/)
  assert.match(api.response, /"username": "ada"/)

  // Step 6: refresh rotates the refresh token.
  const six = await w.act('/playground/refresh')
  const refreshed = shown(six, 6)
  assert.ok(refreshed.request.includes(`grant_type=refresh_token&refresh_token=${tokens.refresh_token.slice(0, 10)}…${tokens.refresh_token.slice(-4)}&client_id=gatehouse-playground`), refreshed.request)
  assert.match(refreshed.response, /^HTTP\/1\.1 200 OK\n/)
  const rotated = JSON.parse(refreshed.response.slice(refreshed.response.indexOf('\n\n') + 2)) as { access_token: string; refresh_token: string }
  assert.notEqual(rotated.refresh_token, tokens.refresh_token)

  // Step 7: introspection of the new tokens.
  const access = shown(await w.act('/playground/introspect', { token: 'access_token' }), 7)
  assert.match(access.request, /^POST \/oauth\/introspect HTTP\/1\.1\n/)
  assert.ok(access.request.includes(`token=${rotated.access_token.slice(0, 10)}…`), access.request)
  assert.match(access.response, /"active": true/)
  assert.match(access.response, /"client_id": "gatehouse-playground"/)
  assert.match(access.response, /"username": "ada"/)
  assert.match(shown(await w.act('/playground/introspect', { token: 'refresh_token' }), 7).response, /"active": true/)

  // Step 8: revoking the refresh token ends the grant, access token included.
  const revoked = shown(await w.act('/playground/revoke', { token: 'refresh_token' }), 8)
  assert.match(revoked.request, /^POST \/oauth\/revoke HTTP\/1\.1\n/)
  assert.match(revoked.response, /^HTTP\/1\.1 200 OK\n/)
  assert.match(shown(await w.act('/playground/introspect', { token: 'access_token' }), 7).response, /"active": false/)
  const refused = shown(await w.act('/playground/api'), 5)
  assert.match(refused.response, /^HTTP\/1\.1 401 Unauthorized\n/)
  assert.match(refused.response, /\nwww-authenticate: Bearer error="invalid_token"/)
  assert.equal((await t.app.inject({ method: 'GET', url: '/2.0/user', headers: { authorization: `Bearer ${rotated.access_token}` } })).statusCode, 401)
})

test('the callback refuses an answer whose state is not the one this browser sent, and one for a browser that sent none', async () => {
  const b = await browser(true)
  await b.get('/playground/start?scope=read:user')
  const forged = await b.get('/playground/callback?code=gth_ac_someone_elses&state=not-mine')
  assert.equal(forged.statusCode, 400)
  assert.match(forged.body, /The state in this answer is not the one the playground sent, so it was refused/)
  assert.match(stepOf((await b.get('/playground')).body, 3), /Waiting for you to allow in step 2/, 'nothing was taken from it')

  const stranger = await t.app.inject({ method: 'GET', url: '/playground/callback?code=x&state=y' })
  assert.equal(stranger.statusCode, 400)
  assert.match(stranger.body, /This browser has no authorization request waiting for an answer/)
})

test('a denied request comes back to step 3 with the error, and leaves no code to exchange', async () => {
  const b = await browser(true)
  await b.get('/playground/start?scope=read:user')
  const page = (await b.get('/playground')).body
  const consent = await b.get(pathOf(decode(/<a class="button primary" href="([^"]+)">/.exec(page)![1])))
  const fields: Record<string, string> = { csrf_token: hiddenField(consent.body, 'csrf_token'), decision: 'deny' }
  for (const name of ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method']) fields[name] = hiddenField(consent.body, name)
  const denied = await b.post('/oauth/authorize/decision', fields)
  assert.equal((await b.get(pathOf(String(denied.headers.location)))).statusCode, 303)
  const after = (await b.get('/playground')).body
  assert.match(stepOf(after, 3), /No code: <code>access_denied<\/code> \(The user denied the request; they can change that at http:\/\/127\.0\.0\.1:\d+\/account\/app-authorizations\)/)
  assert.match(stepOf(after, 4), /Waiting for a code in step 3/)
  const early = await b.post('/playground/token', { csrf_token: await signedInCsrf(t.app, b.jar) })
  assert.equal(early.statusCode, 409)
  assert.match(early.body, /There is no code to exchange yet/)
})

test('step forms need the session CSRF token, and a walk-through this server still holds', async () => {
  const w = await walkToCallback(['read:user'])
  const forged = await w.post('/playground/token', {})
  assert.equal(forged.statusCode, 403)
  assert.match(forged.body, /This form has expired/)
  const crossSite = await t.app.inject({ method: 'POST', url: '/playground/token', cookies: w.jar, ...form({ csrf_token: await signedInCsrf(t.app, w.jar) }, { origin: 'https://evil.example' }) })
  assert.equal(crossSite.statusCode, 403)

  const other = await browser(true)
  const lost = await other.post('/playground/api', { csrf_token: await signedInCsrf(t.app, other.jar) })
  assert.equal(lost.statusCode, 409)
  assert.match(lost.body, /This browser has no walk-through in progress/)
  const badKind = await w.post('/playground/revoke', { token: 'id_token', csrf_token: await signedInCsrf(t.app, w.jar) })
  assert.equal(badKind.statusCode, 400)
})

test('signed out after the callback, the steps ask to sign in instead of showing forms that would fail', async () => {
  const w = await walkToCallback(['read:user'])
  assert.match(stepOf(w.after, 4), /<form method="post" action="\/playground\/token"/)
  const out = await w.post('/logout', { csrf_token: await signedInCsrf(t.app, w.jar) })
  assert.equal(out.statusCode, 303)
  const page = (await w.get('/playground')).body
  assert.match(stepOf(page, 4), /This walk-through's code and tokens belong to the account that allowed\. <a href="\/login\?return_to=%2Fplayground">Sign in<\/a> as that account to go on/)
  assert.doesNotMatch(page, /<form method="post"/)
  assert.match(stepOf(page, 3), /<span class="badge ok">Done<\/span>/, 'the walk-through is still there')
})

test('on a shared browser, tokens are shown only to the account they were issued to', async () => {
  const w = await walkToCallback(['read:user'])
  const exchanged = await w.act('/playground/token')
  const tokens = JSON.parse(shown(exchanged, 4).response.split('\n\n')[1]) as { access_token: string; refresh_token: string }

  const out = await w.post('/logout', { csrf_token: await signedInCsrf(t.app, w.jar) })
  assert.equal(out.statusCode, 303)
  const signedOut = (await w.get('/playground')).body
  assert.ok(!signedOut.includes(tokens.access_token) && !signedOut.includes(tokens.refresh_token.slice(0, 20)), 'no token once signed out')
  assert.match(stepOf(signedOut, 5), /This walk-through's code and tokens belong to the account that allowed\. <a href="\/login\?return_to=%2Fplayground">Sign in<\/a> as that account to go on/)

  await insertUser(t.app, 'bob')
  const bob = await signIn(t.app, 'bob')
  Object.assign(w.jar, bob)
  const asBob = (await w.get('/playground')).body
  assert.ok(!asBob.includes(tokens.access_token), 'not to the next account either')
  assert.doesNotMatch(asBob, /<form method="post"/)
  const refused = await w.post('/playground/api', { csrf_token: await signedInCsrf(t.app, w.jar) })
  assert.equal(refused.statusCode, 409)
  assert.match(refused.body, /The tokens of this walk-through belong to another account/)
  assert.ok(!refused.body.includes(tokens.access_token))
})

test("on a shared browser, a code that came back for one account cannot be exchanged by the next", async () => {
  const w = await walkToCallback(['read:user'])
  await w.post('/logout', { csrf_token: await signedInCsrf(t.app, w.jar) })
  await insertUser(t.app, 'carol')
  Object.assign(w.jar, await signIn(t.app, 'carol'))
  const refused = await w.post('/playground/token', { csrf_token: await signedInCsrf(t.app, w.jar) })
  assert.equal(refused.statusCode, 409)
  assert.match(refused.body, /belong to another account/)
})

test('an existing playground app registered for another issuer is pointed at this one; a disabled one is left disabled, and the page says so', async () => {
  const other = await startWebApp({ playground: true }, { listen: true })
  try {
    await createApp(other.app.db, other.app.clock, other.app.apiDescription.scopes, {
      clientId: 'gatehouse-playground', name: 'Gatehouse playground', isPublic: true, redirectUris: ['https://old.example/playground/callback'],
      scopes: ['read:user'], createdVia: 'playground',
    }, other.app.secrets)
    assert.equal((await other.app.inject({ method: 'GET', url: '/playground' })).statusCode, 200)
    assert.deepEqual((await findAppByClientId(other.app.db, 'gatehouse-playground'))!.redirectUris, [`${other.config.issuer}/playground/callback`])

    await other.app.db.updateTable('apps').set({ disabled_at: other.app.clock.now() }).where('client_id', '=', 'gatehouse-playground').execute()
    const page = await other.app.inject({ method: 'GET', url: '/playground' })
    assert.match(page.body, /An administrator has disabled the playground&#39;s app \(gatehouse-playground\)/)
    assert.match(page.body, /<button type="submit" class="primary" disabled>/)
    assert.equal((await other.app.inject({ method: 'GET', url: '/playground/start?scope=read:user' })).statusCode, 409)
    assert.notEqual((await findAppByClientId(other.app.db, 'gatehouse-playground'))!.disabledAt, null)
  } finally {
    await other.close()
  }
})

test('with GATEHOUSE_PLAYGROUND off the playground does not exist, registers nothing, and the home page does not link it', async () => {
  const off = await startWebApp({ playground: false })
  try {
    for (const url of ['/playground', '/playground/start?scope=read:user', '/playground/callback?code=x&state=y']) {
      const response: LightMyRequestResponse = await off.app.inject({ method: 'GET', url })
      assert.equal(response.statusCode, 404, url)
    }
    assert.equal((await off.app.inject({ method: 'POST', url: '/playground/token', ...form({}) })).statusCode, 404)
    assert.doesNotMatch((await off.app.inject({ method: 'GET', url: '/' })).body, /playground/)
    assert.equal(await findAppByClientId(off.app.db, 'gatehouse-playground'), undefined)
  } finally {
    await off.close()
  }
})
