import assert from 'node:assert/strict'
import { test } from 'node:test'
import { hashSecret, isOpaqueToken } from '../../src/domain/opaque-token.js'
import { cookiesFrom, csrfFor, form, insertUser, PASSWORD, signedInCsrf, signIn, startWebApp } from './fixtures.js'

test('the sign-in page has labelled fields, a return_to field and a pre-session cookie for its CSRF token, and is not stored', async () => {
  const t = await startWebApp()
  try {
    const response = await t.app.inject({ method: 'GET', url: '/login?return_to=%2Foauth%2Fauthorize%3Fclient_id%3Dx' })
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['cache-control'], 'no-store')
    assert.match(response.body, /<html lang="en">/)
    assert.match(response.body, /<label for="username">Username<\/label>/)
    assert.match(response.body, /<label for="password">Password<\/label>/)
    assert.match(response.body, /<button type="submit" class="primary">Sign in<\/button>/)
    assert.match(response.body, /name="return_to" value="\/oauth\/authorize\?client_id=x"/)
    const csrf = response.cookies.find((c) => c.name === 'gatehouse_signin')
    assert.ok(csrf)
    assert.equal(csrf.httpOnly, true)
    assert.equal(csrf.sameSite, 'Lax')
  } finally {
    await t.close()
  }
})

test('signing in sets an HttpOnly, SameSite=Lax session cookie, stores only its hash and returns to return_to', async () => {
  const t = await startWebApp()
  try {
    const user = await insertUser(t.app)
    const { jar, token } = await csrfFor(t.app)
    const response = await t.app.inject({
      method: 'POST',
      url: '/login',
      cookies: jar,
      ...form({ username: 'ada', password: PASSWORD, csrf_token: token, return_to: '/oauth/authorize?client_id=x&state=a%20b' }),
    })
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, '/oauth/authorize?client_id=x&state=a%20b')
    const session = response.cookies.find((c) => c.name === 'gatehouse_session')
    assert.ok(session)
    assert.ok(isOpaqueToken(session.value, 'session'))
    assert.equal(session.httpOnly, true)
    assert.equal(session.sameSite, 'Lax')
    assert.equal(session.path, '/')
    assert.equal(session.secure, undefined)
    assert.equal(session.maxAge, t.config.sessionTtlSeconds)

    const rows = await t.app.db.selectFrom('sessions').selectAll().execute()
    assert.equal(rows.length, 1)
    assert.equal(rows[0].user_id, user.id)
    assert.equal(rows[0].token_hash, hashSecret(session.value))
    assert.equal(rows[0].expires_at - rows[0].created_at, t.config.sessionTtlSeconds * 1000)
    assert.equal(rows[0].last_seen_at, rows[0].created_at)
    assert.equal(rows[0].ip_address, '127.0.0.1')
  } finally {
    await t.close()
  }
})

test('the session cookie is Secure when secure cookies are configured', async () => {
  const t = await startWebApp({ secureCookies: true })
  try {
    await insertUser(t.app)
    const { jar, token } = await csrfFor(t.app)
    const response = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password: PASSWORD, csrf_token: token }) })
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, '/')
    assert.equal(response.cookies.find((c) => c.name === '__Host-gatehouse_session')?.secure, true)
  } finally {
    await t.close()
  }
})

test('a wrong password and an unknown username get the same 401 sign-in page and no session', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const { jar, token } = await csrfFor(t.app)
    for (const credentials of [{ username: 'ada', password: 'wrong password' }, { username: 'nobody', password: PASSWORD }]) {
      const response = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ ...credentials, csrf_token: token, return_to: '/next' }) })
      assert.equal(response.statusCode, 401)
      assert.equal(response.headers['cache-control'], 'no-store')
      assert.match(response.body, /role="alert"[^>]*>Incorrect username or password</)
      assert.match(response.body, new RegExp(`id="username"[^>]*value="${credentials.username}"`))
      assert.match(response.body, /name="return_to" value="\/next"/)
      assert.equal(response.cookies.find((c) => c.name === 'gatehouse_session'), undefined)
    }
    assert.equal((await t.app.db.selectFrom('sessions').selectAll().execute()).length, 0)
  } finally {
    await t.close()
  }
})

test('a disabled user cannot sign in', async () => {
  const t = await startWebApp()
  try {
    const user = await insertUser(t.app)
    await t.app.db.updateTable('users').set({ disabled_at: t.app.clock.now() }).where('id', '=', user.id).execute()
    const { jar, token } = await csrfFor(t.app)
    const response = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password: PASSWORD, csrf_token: token }) })
    assert.equal(response.statusCode, 401)
  } finally {
    await t.close()
  }
})

test('a sign-in without a username is refused with 400, not a crash', async () => {
  const t = await startWebApp()
  try {
    const { jar, token } = await csrfFor(t.app)
    const response = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ password: PASSWORD, csrf_token: token }) })
    assert.equal(response.statusCode, 400)
    assert.match(response.headers['content-type'] as string, /text\/html/)
    assert.match(response.body, /username/)
  } finally {
    await t.close()
  }
})

test('open redirect: return_to pointing off-site sends the user home instead', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    for (const returnTo of ['https://evil.example/', '//evil.example/', '/\\evil.example/', '/\t/evil.example', 'javascript:alert(1)', 'evil.example']) {
      const { jar, token } = await csrfFor(t.app)
      const response = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password: PASSWORD, csrf_token: token, return_to: returnTo }) })
      assert.equal(response.statusCode, 303, returnTo)
      assert.equal(response.headers.location, '/', returnTo)
      const page = await t.app.inject({ method: 'GET', url: `/login?return_to=${encodeURIComponent(returnTo)}` })
      assert.match(page.body, /name="return_to" value="\/"/, returnTo)
    }
  } finally {
    await t.close()
  }
})

test('a session kept busy still ends at its absolute end', async () => {
  let now = Date.parse('2026-11-23T10:00:00Z')
  const t = await startWebApp({ sessionTtlSeconds: 12 * 3600, sessionIdleTtlSeconds: 2 * 3600 }, { clock: { now: () => now } })
  try {
    await insertUser(t.app)
    const start = now
    const jar = await signIn(t.app)
    assert.match((await t.app.inject({ method: 'GET', url: '/', cookies: jar })).body, /Signed in as <strong>ada<\/strong>/)
    // A use every hour, well within the idle lifetime, up to the last millisecond.
    while (now + 3600_000 < start + t.config.sessionTtlSeconds * 1000) {
      now += 3600_000
      assert.match((await t.app.inject({ method: 'GET', url: '/', cookies: jar })).body, /Signed in as/, new Date(now).toISOString())
    }
    now = start + t.config.sessionTtlSeconds * 1000 - 1
    assert.match((await t.app.inject({ method: 'GET', url: '/', cookies: jar })).body, /Signed in as/)
    now += 1
    const home = await t.app.inject({ method: 'GET', url: '/', cookies: jar })
    assert.doesNotMatch(home.body, /Signed in as/)
    assert.match(home.body, /href="\/login"/)
  } finally {
    await t.close()
  }
})

test('a session unused for the idle lifetime ends; each use moves that end', async () => {
  let now = Date.parse('2026-11-23T10:00:00Z')
  const t = await startWebApp({ sessionIdleTtlSeconds: 1800 }, { clock: { now: () => now } })
  try {
    await insertUser(t.app)
    const jar = await signIn(t.app)
    const idle = t.config.sessionIdleTtlSeconds * 1000
    now += idle - 1
    assert.match((await t.app.inject({ method: 'GET', url: '/', cookies: jar })).body, /Signed in as/, 'just inside the idle lifetime')
    now += idle - 1
    assert.match((await t.app.inject({ method: 'GET', url: '/', cookies: jar })).body, /Signed in as/, 'the use above restarted the idle clock')
    now += idle
    const home = await t.app.inject({ method: 'GET', url: '/', cookies: jar })
    assert.doesNotMatch(home.body, /Signed in as/)
    assert.ok(now < Date.parse('2026-11-23T10:00:00Z') + t.config.sessionTtlSeconds * 1000, 'long before the absolute end')
  } finally {
    await t.close()
  }
})

test('last_seen_at, the address and the User-Agent are written at most once a minute per session, not on every request', async () => {
  let now = Date.parse('2026-11-23T10:00:00Z')
  const t = await startWebApp({}, { clock: { now: () => now } })
  try {
    await insertUser(t.app)
    const signedInAt = now
    const jar = await signIn(t.app)
    const row = () => t.app.db.selectFrom('sessions').select(['last_seen_at', 'ip_address', 'user_agent']).executeTakeFirstOrThrow()
    const visit = (userAgent: string) => t.app.inject({ method: 'GET', url: '/', cookies: jar, headers: { 'user-agent': userAgent } })

    for (const seconds of [1, 30, 60]) {
      now = signedInAt + seconds * 1000
      assert.match((await visit('Browser/2')).body, /Signed in as/)
      assert.deepEqual(await row(), { last_seen_at: signedInAt, ip_address: '127.0.0.1', user_agent: 'lightMyRequest' }, `${seconds} s after sign-in`)
    }
    now = signedInAt + 61_000
    await visit('Browser/2')
    assert.deepEqual(await row(), { last_seen_at: now, ip_address: '127.0.0.1', user_agent: 'Browser/2' })
    const seenAt = now
    now += 59_000
    await visit('Browser/3')
    assert.equal((await row()).last_seen_at, seenAt)
    now += 2000
    await visit('x'.repeat(2000))
    assert.deepEqual(await row(), { last_seen_at: now, ip_address: '127.0.0.1', user_agent: 'x'.repeat(512) })
  } finally {
    await t.close()
  }
})

test("a disabled user's existing session stops working", async () => {
  const t = await startWebApp()
  try {
    const user = await insertUser(t.app)
    const jar = await signIn(t.app)
    await t.app.db.updateTable('users').set({ disabled_at: t.app.clock.now() }).where('id', '=', user.id).execute()
    assert.doesNotMatch((await t.app.inject({ method: 'GET', url: '/', cookies: jar })).body, /Signed in as/)
  } finally {
    await t.close()
  }
})

test('a forged session cookie is ignored', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const jar = await signIn(t.app)
    const forged = { ...jar, gatehouse_session: `${jar.gatehouse_session.slice(0, -1)}x` }
    assert.doesNotMatch((await t.app.inject({ method: 'GET', url: '/', cookies: forged })).body, /Signed in as/)
  } finally {
    await t.close()
  }
})

test('signing out deletes the session and clears the cookie', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const jar = await signIn(t.app)
    const stolenCopy = { ...jar }
    const response = await t.app.inject({ method: 'POST', url: '/logout', cookies: jar, ...form({ csrf_token: await signedInCsrf(t.app, jar) }) })
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, '/')
    cookiesFrom(response, jar)
    assert.equal(jar.gatehouse_session, undefined)
    assert.equal((await t.app.db.selectFrom('sessions').selectAll().execute()).length, 0)
    // The old cookie value is dead server-side too, not just forgotten by this browser.
    assert.doesNotMatch((await t.app.inject({ method: 'GET', url: '/', cookies: stolenCopy })).body, /Signed in as/)
  } finally {
    await t.close()
  }
})

test('session fixation: signing in ends the session the browser already had and issues a new one', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const jar = await signIn(t.app)
    const before = { ...jar }
    const { token } = await csrfFor(t.app, jar)
    const again = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password: PASSWORD, csrf_token: token }) })
    assert.equal(again.statusCode, 303)
    cookiesFrom(again, jar)
    assert.notEqual(jar.gatehouse_session, before.gatehouse_session)
    const rows = await t.app.db.selectFrom('sessions').select('token_hash').execute()
    assert.deepEqual(rows.map((r) => r.token_hash), [hashSecret(jar.gatehouse_session)])
    assert.doesNotMatch((await t.app.inject({ method: 'GET', url: '/', cookies: before })).body, /Signed in as/)
  } finally {
    await t.close()
  }
})
