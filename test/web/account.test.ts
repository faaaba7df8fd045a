import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../../src/config.js'
import { newId } from '../../src/domain/ids.js'
import { TestClock } from '../oauth/fixtures.js'
import { cookiesFrom, csrfFor, form, hiddenField, insertUser, PASSWORD, startWebApp } from './fixtures.js'

const FIREFOX_ON_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0'
const CHROME_ON_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36'
const NEW_PASSWORD = 'a brand new passphrase'

interface Browser {
  jar: Record<string, string>
  userAgent: string
  address: string
}

/** Signs in through the form as a browser with this User-Agent at this address; undefined if the sign-in is refused. */
async function signInFrom(app: FastifyInstance, username = 'ada', password = PASSWORD, userAgent = CHROME_ON_LINUX, address = '127.0.0.1'): Promise<Browser | undefined> {
  const { jar, token } = await csrfFor(app)
  const response = await app.inject({
    method: 'POST', url: '/login', cookies: jar, remoteAddress: address,
    ...form({ username, password, csrf_token: token }, { 'user-agent': userAgent }),
  })
  return response.statusCode === 303 ? { jar: cookiesFrom(response, jar), userAgent, address } : undefined
}

async function signedInBrowser(app: FastifyInstance, username = 'ada', userAgent = CHROME_ON_LINUX, address = '127.0.0.1'): Promise<Browser> {
  const browser = await signInFrom(app, username, PASSWORD, userAgent, address)
  assert.ok(browser, `${username} signs in`)
  return browser
}

function get(app: FastifyInstance, browser: Browser, url: string) {
  return app.inject({ method: 'GET', url, cookies: browser.jar, remoteAddress: browser.address, headers: { 'user-agent': browser.userAgent } })
}

/** Posts a form as `browser`, with the CSRF token its pages carry unless `csrf` says otherwise. */
async function post(app: FastifyInstance, browser: Browser, url: string, fields: Record<string, string>, csrf: 'token' | 'none' = 'token') {
  const token = csrf === 'token' ? hiddenField((await get(app, browser, '/settings/profile')).body, 'csrf_token') : undefined
  return app.inject({
    method: 'POST', url, cookies: browser.jar, remoteAddress: browser.address,
    ...form({ ...fields, csrf_token: token }, { 'user-agent': browser.userAgent }),
  })
}

/** Whether `browser` is still signed in: a settings page answers instead of sending it to sign in. */
async function signedIn(app: FastifyInstance, browser: Browser): Promise<boolean> {
  const response = await get(app, browser, '/settings/profile')
  if (response.statusCode === 200) return true
  assert.equal(response.statusCode, 303)
  assert.match(response.headers.location as string, /^\/login\?return_to=/)
  return false
}

async function passwordHash(app: FastifyInstance, username = 'ada'): Promise<string> {
  return (await app.db.selectFrom('users').select('password_hash').where('username', '=', username).executeTakeFirstOrThrow()).password_hash
}

function fieldError(body: string, field: string): string | undefined {
  return new RegExp(`<p class="field-error" id="${field}-error">([^<]*)</p>`).exec(body)?.[1]
}

async function withApp(run: (app: FastifyInstance) => Promise<void>, overrides: Partial<Config> = {}, clock?: TestClock): Promise<void> {
  const t = await startWebApp(overrides, { clock })
  try {
    await run(t.app)
  } finally {
    await t.close()
  }
}

test('the Account group lists Profile, Password and Sessions in that order, and /settings opens Profile', () =>
  withApp(async (app) => {
    await insertUser(app)
    const browser = await signedInBrowser(app)
    const settings = await get(app, browser, '/settings')
    assert.equal(settings.statusCode, 303)
    assert.equal(settings.headers.location, '/settings/profile')
    const page = await get(app, browser, '/settings/sessions')
    const nav = /<nav class="settings-nav"[\s\S]*?<\/nav>/.exec(page.body)![0]
    assert.match(nav, /<h2 class="nav-group">Account<\/h2>\s*<ul>\s*<li><a href="\/settings\/profile">Profile<\/a><\/li>\s*<li><a href="\/settings\/password">Password<\/a><\/li>\s*<li><a href="\/settings\/sessions" aria-current="page">Sessions<\/a><\/li>/)
  }))

test('the Account pages carry no inline script or style, which the Content-Security-Policy forbids', () =>
  withApp(async (app) => {
    await insertUser(app)
    const browser = await signedInBrowser(app)
    await signedInBrowser(app, 'ada', FIREFOX_ON_WINDOWS)
    for (const path of ['/settings/profile', '/settings/password', '/settings/sessions']) {
      const response = await get(app, browser, path)
      assert.equal(response.statusCode, 200, path)
      assert.match(response.headers['content-security-policy'] as string, /script-src 'self'/)
      assert.doesNotMatch(response.body.replace('<script src="/assets/gatehouse.js" defer></script>', ''), /<script|<style| style=| on[a-z]+=/i, path)
    }
  }))

test('signed out, each Account page sends the browser to sign in and back, and a form post does nothing', () =>
  withApp(async (app) => {
    for (const path of ['/settings/profile', '/settings/password', '/settings/sessions']) {
      const response = await app.inject({ method: 'GET', url: path })
      assert.equal(response.statusCode, 303, path)
      assert.equal(response.headers.location, `/login?return_to=${encodeURIComponent(path)}`)
    }
    // A form post without a session changes nothing: it is sent to sign in, before its (missing) token is even looked at.
    const { jar, token } = await csrfFor(app)
    const posted = await app.inject({ method: 'POST', url: '/settings/sessions/end-others', cookies: jar, ...form({ csrf_token: token }) })
    assert.equal(posted.statusCode, 303)
    assert.equal(posted.headers.location, '/login?return_to=%2Fsettings')
  }))

test('the profile shows the username, the role, since when, and the workspaces with the role in each', () => {
  const clock = new TestClock()
  return withApp(async (app) => {
    const user = await insertUser(app)
    await app.db.updateTable('users').set({ is_admin: 1 }).where('id', '=', user.id).execute()
    const joined = clock.now()
    for (const [slug, name, role] of [['acme', 'Acme Inc.', 'owner'], ['zeta', 'Zeta <Labs>', 'member']] as const) {
      const id = newId()
      await app.db.insertInto('workspaces').values({ id, slug, name, created_at: joined }).execute()
      await app.db.insertInto('workspace_members').values({ workspace_id: id, user_id: user.id, role, created_at: joined }).execute()
    }
    const page = await get(app, await signedInBrowser(app), '/settings/profile')
    assert.equal(page.statusCode, 200)
    assert.equal(page.headers['cache-control'], 'no-store')
    assert.match(page.body, /<dt>Username<\/dt>\s*<dd><strong>ada<\/strong>/)
    assert.match(page.body, /<dt>Role<\/dt>\s*<dd><span class="badge admin">Administrator<\/span>/)
    assert.match(page.body, /<dt>Member since<\/dt>\s*<dd><time datetime="2026-01-01T00:00:00.000Z">1 Jan 2026<\/time><\/dd>/)
    assert.match(page.body, /<input id="display_name" name="display_name" type="text" value="ada" required autocomplete="name"/)
    assert.match(page.body, /Acme Inc\.<\/span> <span class="mono muted">acme<\/span><\/td><td><span class="badge">Owner<\/span><\/td>/)
    assert.match(page.body, /Zeta &lt;Labs&gt;<\/span> <span class="mono muted">zeta<\/span><\/td><td>Member<\/td>/)
  }, {}, clock)
})

test('a member with no workspace is told so, without a table', () =>
  withApp(async (app) => {
    await insertUser(app)
    const page = await get(app, await signedInBrowser(app), '/settings/profile')
    assert.match(page.body, /<dt>Role<\/dt>\s*<dd>Member<\/dd>/)
    assert.match(page.body, /You do not belong to any workspace\./)
    assert.doesNotMatch(page.body, /<table>/)
  }))

test('saving the profile stores the display name trimmed and comes back with a notice', () =>
  withApp(async (app) => {
    await insertUser(app)
    const browser = await signedInBrowser(app)
    const saved = await post(app, browser, '/settings/profile', { display_name: '  Ada Lovelace  ' })
    assert.equal(saved.statusCode, 303)
    assert.equal(saved.headers.location, '/settings/profile?saved=1')
    const user = await app.db.selectFrom('users').select('display_name').where('username', '=', 'ada').executeTakeFirstOrThrow()
    assert.equal(user.display_name, 'Ada Lovelace')
    const page = await get(app, browser, saved.headers.location as string)
    assert.match(page.body, /<p class="notice success" role="status">Your profile is saved\.<\/p>/)
    assert.match(page.body, /name="display_name" type="text" value="Ada Lovelace"/)
  }))

test('a display name that breaks the rules comes back next to the field, as typed, and nothing is stored', () =>
  withApp(async (app) => {
    await insertUser(app)
    const browser = await signedInBrowser(app)
    const cases: [string, string][] = [
      ['   ', 'Enter a display name'],
      ['x'.repeat(101), 'A display name is at most 100 characters'],
      ['Ada\nLovelace', 'A display name cannot contain line breaks or other control characters'],
    ]
    for (const [typed, message] of cases) {
      const response = await post(app, browser, '/settings/profile', { display_name: typed })
      assert.equal(response.statusCode, 400, JSON.stringify(typed))
      assert.equal(fieldError(response.body, 'display_name'), message)
      assert.match(response.body, /<p class="notice error" role="alert">Your profile was not saved: see below\.<\/p>/)
      assert.ok(response.body.includes(`value="${typed}"`), 'what was typed is kept')
      assert.match(response.body, /aria-describedby="display_name-hint display_name-error" aria-invalid="true"/)
    }
    // 100 characters is the limit, counted as characters people see: an emoji is one.
    assert.equal((await post(app, browser, '/settings/profile', { display_name: '🦊'.repeat(100) })).statusCode, 303)
    const user = await app.db.selectFrom('users').select('display_name').where('username', '=', 'ada').executeTakeFirstOrThrow()
    assert.equal(user.display_name, '🦊'.repeat(100))
  }))

test('every Account form needs its CSRF token: without it, 403 and nothing changes', () =>
  withApp(async (app) => {
    await insertUser(app)
    await insertUser(app, 'bob')
    const browser = await signedInBrowser(app)
    const other = await signedInBrowser(app, 'ada', FIREFOX_ON_WINDOWS)
    const [otherSession] = await app.db.selectFrom('sessions').select('id').where('user_agent', '=', FIREFOX_ON_WINDOWS).execute()
    const hash = await passwordHash(app)
    for (const [url, fields] of [
      ['/settings/profile', { display_name: 'Mallory' }],
      ['/settings/password', { current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD }],
      [`/settings/sessions/${otherSession.id}/end`, {}],
      ['/settings/sessions/end-others', {}],
    ] as const) {
      const response = await post(app, browser, url, fields, 'none')
      assert.equal(response.statusCode, 403, url)
      assert.match(response.headers['content-type'] as string, /^text\/html/)
      // A token from another browser's session is refused too.
      const foreign = hiddenField((await get(app, other, '/settings/profile')).body, 'csrf_token')
      const crossed = await app.inject({ method: 'POST', url, cookies: browser.jar, ...form({ ...fields, csrf_token: foreign }) })
      assert.equal(crossed.statusCode, 403, url)
    }
    const user = await app.db.selectFrom('users').select(['display_name', 'password_hash']).where('username', '=', 'ada').executeTakeFirstOrThrow()
    assert.deepEqual(user, { display_name: 'ada', password_hash: hash })
    assert.ok(await signedIn(app, other), 'the other session was not ended')
  }))

test('a wrong current password: the form says so, and the password and every session stay as they were', () =>
  withApp(async (app) => {
    await insertUser(app)
    const browser = await signedInBrowser(app)
    const other = await signedInBrowser(app, 'ada', FIREFOX_ON_WINDOWS)
    const hash = await passwordHash(app)
    const response = await post(app, browser, '/settings/password', { current_password: 'not my password', new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD })
    assert.equal(response.statusCode, 400)
    assert.equal(fieldError(response.body, 'current_password'), 'That is not your current password')
    assert.match(response.body, /<p class="notice error" role="alert">Your password was not changed: see below\.<\/p>/)
    assert.doesNotMatch(response.body, /not my password|a brand new passphrase/, 'typed passwords are not sent back')
    assert.equal(await passwordHash(app), hash)
    assert.ok(await signedIn(app, other))
    assert.ok(await signedIn(app, browser))
    assert.ok(await signInFrom(app, 'ada', PASSWORD), 'the old password still signs in')
  }))

test('a new password the rules refuse, or a confirmation that differs, is named next to its field before any password is checked', () =>
  withApp(async (app) => {
    await insertUser(app)
    const browser = await signedInBrowser(app)
    const hash = await passwordHash(app)
    const cases: [Record<string, string>, Record<string, string>][] = [
      [{ current_password: PASSWORD, new_password: 'short', confirm_password: 'short' }, { new_password: 'A password needs at least 8 characters' }],
      [{ current_password: PASSWORD, new_password: 'x'.repeat(1025), confirm_password: 'x'.repeat(1025) }, { new_password: 'A password is at most 1024 characters' }],
      [{ current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: 'a brand new passphrasE' }, { confirm_password: 'This does not match the new password' }],
      [{ current_password: '', new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD }, { current_password: 'Enter your current password' }],
      // Wrong as well as weak: the weak password is named, and the wrong one is not even checked.
      [{ current_password: 'wrong', new_password: 'short', confirm_password: 'short' }, { new_password: 'A password needs at least 8 characters' }],
    ]
    for (const [fields, expected] of cases) {
      const response = await post(app, browser, '/settings/password', fields)
      assert.equal(response.statusCode, 400)
      const shown = Object.fromEntries(['current_password', 'new_password', 'confirm_password'].flatMap((f) => (fieldError(response.body, f) ? [[f, fieldError(response.body, f)]] : [])))
      assert.deepEqual(shown, expected)
    }
    assert.equal(await passwordHash(app), hash)
  }))

test('the right current password: the new password signs in, the old one does not, other sessions are signed out and this one stays', () =>
  withApp(async (app) => {
    await insertUser(app)
    await insertUser(app, 'bob')
    const browser = await signedInBrowser(app)
    const others = [await signedInBrowser(app, 'ada', FIREFOX_ON_WINDOWS), await signedInBrowser(app, 'ada', CHROME_ON_LINUX, '192.0.2.7')]
    const bob = await signedInBrowser(app, 'bob')

    const response = await post(app, browser, '/settings/password', { current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD })
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, '/settings/password?ended=2')
    const page = await get(app, browser, response.headers.location as string)
    assert.match(page.body, /<p class="notice success" role="status">Your password is changed, and 2 other sessions were signed out\.<\/p>/)

    assert.ok(await signedIn(app, browser), 'this browser stays signed in')
    for (const other of others) assert.equal(await signedIn(app, other), false, 'the other sessions are ended')
    assert.ok(await signedIn(app, bob), "another user's session is left alone")
    assert.equal(await signInFrom(app, 'ada', PASSWORD), undefined, 'the old password no longer signs in')
    assert.ok(await signInFrom(app, 'ada', NEW_PASSWORD), 'the new password signs in')
  }))

test('changing the password with no other session says so', () =>
  withApp(async (app) => {
    await insertUser(app)
    const browser = await signedInBrowser(app)
    const response = await post(app, browser, '/settings/password', { current_password: PASSWORD, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD })
    assert.equal(response.headers.location, '/settings/password?ended=0')
    const page = await get(app, browser, response.headers.location as string)
    assert.match(page.body, /Your password is changed\. You were not signed in anywhere else\./)
  }))

test('the password form has what password managers need: the username, and current-password / new-password', () =>
  withApp(async (app) => {
    await insertUser(app)
    const page = await get(app, await signedInBrowser(app), '/settings/password')
    assert.match(page.body, /<input type="text" autocomplete="username" value="ada" hidden>/)
    assert.match(page.body, /<input id="current_password" name="current_password" type="password" required autocomplete="current-password">/)
    assert.match(page.body, /<input id="new_password" name="new_password" type="password" required minlength="8" autocomplete="new-password" aria-describedby="new_password-hint">/)
    assert.match(page.body, /<input id="confirm_password" name="confirm_password" type="password" required autocomplete="new-password">/)
  }))

test('wrong current passwords count as failed sign-ins: the account locks (429) like at the sign-in form', () =>
  withApp(async (app) => {
    await insertUser(app)
    const browser = await signedInBrowser(app)
    const wrong = { current_password: 'wrong guess', new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD }
    for (let i = 0; i < 3; i++) assert.equal((await post(app, browser, '/settings/password', wrong)).statusCode, 400)
    const locked = await post(app, browser, '/settings/password', { ...wrong, current_password: PASSWORD })
    assert.equal(locked.statusCode, 429)
    assert.match(locked.headers['content-type'] as string, /^text\/html/)
    assert.match(locked.body, /Too many failed sign-ins for this username/)
    assert.equal(await signInFrom(app, 'ada', NEW_PASSWORD), undefined)
  }, { throttle: true, signInFailuresPerAccount: 3, signInFailuresPerAddress: 100, failureLockSeconds: 60, failureLockMaxSeconds: 600 }))

test('the sessions page lists live sessions with browser, address, last use and sign-in time, this browser first and marked', () => {
  const clock = new TestClock(Date.UTC(2026, 10, 23, 14, 0, 0))
  return withApp(async (app) => {
    await insertUser(app)
    await insertUser(app, 'bob')
    const firefox = await signedInBrowser(app, 'ada', FIREFOX_ON_WINDOWS, '192.0.2.10')
    clock.advance(60)
    const browser = await signedInBrowser(app, 'ada', CHROME_ON_LINUX, '198.51.100.4')
    await signedInBrowser(app, 'bob', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15', '203.0.113.9')
    // An idle one: signed in long ago and unused for longer than the idle lifetime.
    await app.db.insertInto('sessions').values({
      id: newId(), token_hash: 'idle', user_id: (await app.db.selectFrom('users').select('id').where('username', '=', 'ada').executeTakeFirstOrThrow()).id,
      created_at: clock.now() - 86_400_000, expires_at: clock.now() + 86_400_000, last_seen_at: clock.now() - (app.config.sessionIdleTtlSeconds + 1) * 1000,
      ip_address: '192.0.2.99', user_agent: CHROME_ON_LINUX,
    }).execute()
    clock.advance(180)

    const page = await get(app, browser, '/settings/sessions')
    assert.equal(page.statusCode, 200)
    const items = page.body.match(/<li class="session">[\s\S]*?<\/li>/g) ?? []
    assert.equal(items.length, 2, 'two live sessions of ada: not bob\'s, not the idle one')
    assert.match(items[0], /<strong id="session-[^"]+">Chrome on Linux<\/strong> <span class="badge ok">This browser<\/span>/)
    assert.match(items[0], /<dt>Address<\/dt><dd class="mono">198\.51\.100\.4<\/dd>/)
    assert.match(items[0], /<dt>Last active<\/dt><dd>Now<\/dd>/)
    assert.match(items[0], /<dt>Signed in<\/dt><dd><time datetime="2026-11-23T14:01:00.000Z">23 Nov 2026, 14:01 UTC<\/time><\/dd>/)
    assert.match(items[0], /<form method="post" action="\/logout">[\s\S]*Sign out<\/button>/)
    assert.doesNotMatch(items[0], /End session/)

    assert.match(items[1], /<strong id="session-[^"]+">Firefox on Windows<\/strong><\/p>/)
    assert.match(items[1], /<dd class="mono">192\.0\.2\.10<\/dd>/)
    assert.match(items[1], /<dt>Last active<\/dt><dd>4 minutes ago <span class="muted"><time datetime="2026-11-23T14:00:00.000Z">23 Nov 2026, 14:00 UTC<\/time><\/span><\/dd>/)
    assert.match(items[1], /<form method="post" action="\/settings\/sessions\/[^"]+\/end">[\s\S]*End session<\/button>/)
    assert.doesNotMatch(page.body, /203\.0\.113\.9|192\.0\.2\.99|Safari on macOS/)
    assert.match(page.body, /End all other sessions/)

    // The list follows each session's use (recorded once a minute at most).
    clock.advance(60)
    await get(app, firefox, '/settings/profile')
    const later = await get(app, browser, '/settings/sessions')
    assert.match(later.body, /Firefox on Windows[\s\S]*<dt>Last active<\/dt><dd>Less than a minute ago/)
  }, {}, clock)
})

test('ending another session signs that browser out and leaves the rest; another user\'s session id is a 404 and stays', () =>
  withApp(async (app) => {
    await insertUser(app)
    await insertUser(app, 'bob')
    const browser = await signedInBrowser(app)
    const firefox = await signedInBrowser(app, 'ada', FIREFOX_ON_WINDOWS)
    const third = await signedInBrowser(app, 'ada', CHROME_ON_LINUX, '192.0.2.7')
    const bob = await signedInBrowser(app, 'bob', FIREFOX_ON_WINDOWS, '203.0.113.9')
    const sessionOf = async (ip: string, ua: string) => (await app.db.selectFrom('sessions').select('id').where('ip_address', '=', ip).where('user_agent', '=', ua).executeTakeFirstOrThrow()).id

    const ended = await post(app, browser, `/settings/sessions/${await sessionOf('127.0.0.1', FIREFOX_ON_WINDOWS)}/end`, {})
    assert.equal(ended.statusCode, 303)
    assert.equal(ended.headers.location, '/settings/sessions?ended=1')
    assert.match((await get(app, browser, ended.headers.location as string)).body, /One session was ended: that browser is signed out\./)
    assert.equal(await signedIn(app, firefox), false)
    assert.ok(await signedIn(app, third))
    assert.ok(await signedIn(app, browser))

    const bobs = await sessionOf('203.0.113.9', FIREFOX_ON_WINDOWS)
    const refused = await post(app, browser, `/settings/sessions/${bobs}/end`, {})
    assert.equal(refused.statusCode, 404)
    assert.match(refused.headers['content-type'] as string, /^text\/html/)
    assert.match(refused.body, /There is no such session of yours/)
    assert.ok(await signedIn(app, bob), "bob's session is untouched")
    assert.equal((await post(app, browser, `/settings/sessions/${newId()}/end`, {})).statusCode, 404)
  }))

test('ending all other sessions keeps only this one and says how many went', () =>
  withApp(async (app) => {
    await insertUser(app)
    await insertUser(app, 'bob')
    const browser = await signedInBrowser(app)
    const others = [await signedInBrowser(app, 'ada', FIREFOX_ON_WINDOWS), await signedInBrowser(app, 'ada', CHROME_ON_LINUX, '192.0.2.7')]
    const bob = await signedInBrowser(app, 'bob')
    const response = await post(app, browser, '/settings/sessions/end-others', {})
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, '/settings/sessions?ended=2')
    const page = await get(app, browser, response.headers.location as string)
    assert.match(page.body, /2 sessions were ended: those browsers are signed out\./)
    assert.equal((page.body.match(/<li class="session">/g) ?? []).length, 1)
    assert.match(page.body, /You are not signed in anywhere else\./)
    assert.doesNotMatch(page.body, /End all other sessions/)
    for (const other of others) assert.equal(await signedIn(app, other), false)
    assert.ok(await signedIn(app, browser))
    assert.ok(await signedIn(app, bob))
  }))

test('ending this browser\'s own session from the list is signing out', () =>
  withApp(async (app) => {
    await insertUser(app)
    const browser = await signedInBrowser(app)
    const [own] = await app.db.selectFrom('sessions').select('id').execute()
    const response = await post(app, browser, `/settings/sessions/${own.id}/end`, {})
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, '/')
    cookiesFrom(response, browser.jar)
    assert.equal(await signedIn(app, browser), false)
    assert.equal((await app.db.selectFrom('sessions').select('id').execute()).length, 0)
  }))
