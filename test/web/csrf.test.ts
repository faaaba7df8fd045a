import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { cookiesFrom, csrfFor, form, insertUser, PASSWORD, signedInCsrf, signIn, startWebApp } from './fixtures.js'

const EXPIRED = 'This form has expired; go back and try again'
const CROSS_SITE = 'This form was not sent from a Gatehouse page'

function assertRefused(response: LightMyRequestResponse, message: string): void {
  assert.equal(response.statusCode, 403, response.body)
  assert.match(response.headers['content-type'] as string, /text\/html/)
  assert.match(response.body, /<h1 id="error-title">Not allowed<\/h1>/)
  assert.ok(response.body.includes(message), response.body)
}

async function sessionCount(t: Awaited<ReturnType<typeof startWebApp>>): Promise<number> {
  return (await t.app.db.selectFrom('sessions').select('id').execute()).length
}

test('CSRF: a sign-in post without the token field is refused with a 403 page', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const { jar } = await csrfFor(t.app)
    const response = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password: PASSWORD }) })
    assertRefused(response, EXPIRED)
    assert.equal(response.cookies.find((c) => c.name === 'gatehouse_session'), undefined)
  } finally {
    await t.close()
  }
})

test("CSRF: a sign-in token made for another browser's pre-session cookie is refused", async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const { jar } = await csrfFor(t.app)
    const { token: otherBrowsersToken } = await csrfFor(t.app)
    const response = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password: PASSWORD, csrf_token: otherBrowsersToken }) })
    assertRefused(response, EXPIRED)
    assert.equal(await sessionCount(t), 0)
  } finally {
    await t.close()
  }
})

test('CSRF: a sign-in token without its pre-session cookie (a cross-site post) is refused', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const { token } = await csrfFor(t.app)
    assertRefused(await t.app.inject({ method: 'POST', url: '/login', ...form({ username: 'ada', password: PASSWORD, csrf_token: token }) }), EXPIRED)
  } finally {
    await t.close()
  }
})

test('the sign-in form token is derived from a short-lived HttpOnly pre-session cookie, reused so two tabs both work', async () => {
  const t = await startWebApp()
  try {
    const first = await t.app.inject({ method: 'GET', url: '/login' })
    const cookie = first.cookies.find((c) => c.name === 'gatehouse_signin')
    assert.ok(cookie)
    assert.equal(cookie.httpOnly, true)
    assert.equal(cookie.sameSite, 'Lax')
    assert.equal(cookie.path, '/')
    assert.equal(cookie.maxAge, 3600)
    const { jar, token } = await csrfFor(t.app)
    assert.notEqual(token, jar.gatehouse_signin, 'the field is derived from the cookie, not a copy of it')
    const again = await csrfFor(t.app, jar)
    assert.equal(again.token, token)
  } finally {
    await t.close()
  }
})

test('signing in rotates everything: the pre-session cookie is cleared and its sign-in token stops working', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const { jar, token } = await csrfFor(t.app)
    const signedIn = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password: PASSWORD, csrf_token: token }) })
    assert.equal(signedIn.statusCode, 303)
    const cleared = signedIn.cookies.find((c) => c.name === 'gatehouse_signin')
    assert.ok(cleared, 'the sign-in answer clears the pre-session cookie')
    assert.ok(cleared.maxAge === 0 || (cleared.expires !== undefined && cleared.expires.getTime() <= Date.now()))
    cookiesFrom(signedIn, jar)
    assert.equal(jar.gatehouse_signin, undefined)

    const sessionToken = await signedInCsrf(t.app, jar)
    assert.notEqual(sessionToken, token, 'the session gets a token of its own')
    // A sign-in form left open in another tab no longer posts.
    assertRefused(await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password: PASSWORD, csrf_token: token }) }), EXPIRED)
    // Nor does the sign-in token work on a signed-in form.
    assertRefused(await t.app.inject({ method: 'POST', url: '/logout', cookies: jar, ...form({ csrf_token: token }) }), EXPIRED)
    assert.equal(await sessionCount(t), 1)
  } finally {
    await t.close()
  }
})

test('CSRF: a token from one session fails in another, even of the same user', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const first = await signIn(t.app)
    const second = await signIn(t.app)
    const firstToken = await signedInCsrf(t.app, first)
    const secondToken = await signedInCsrf(t.app, second)
    assert.notEqual(firstToken, secondToken)
    assertRefused(await t.app.inject({ method: 'POST', url: '/logout', cookies: second, ...form({ csrf_token: firstToken }) }), EXPIRED)
    assert.equal(await sessionCount(t), 2)
    assert.match((await t.app.inject({ method: 'GET', url: '/', cookies: second })).body, /Signed in as/)
    // Its own token works.
    assert.equal((await t.app.inject({ method: 'POST', url: '/logout', cookies: second, ...form({ csrf_token: secondToken }) })).statusCode, 303)
    assert.equal(await sessionCount(t), 1)
  } finally {
    await t.close()
  }
})

test('CSRF: a cross-site sign-out post does not end the session', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const jar = await signIn(t.app)
    assertRefused(await t.app.inject({ method: 'POST', url: '/logout', cookies: jar, ...form({ csrf_token: 'x'.repeat(43) }) }), EXPIRED)
    assert.equal(await sessionCount(t), 1)
    assert.match((await t.app.inject({ method: 'GET', url: '/', cookies: jar })).body, /Signed in as/)
  } finally {
    await t.close()
  }
})

test('CSRF: a form posted after sign-out fails with the expired page', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const jar = await signIn(t.app)
    const token = await signedInCsrf(t.app, jar)
    const out = await t.app.inject({ method: 'POST', url: '/logout', cookies: jar, ...form({ csrf_token: token }) })
    assert.equal(out.statusCode, 303)
    cookiesFrom(out, jar)
    // The same page's form, posted again from a tab left open.
    assertRefused(await t.app.inject({ method: 'POST', url: '/logout', cookies: jar, ...form({ csrf_token: token }) }), EXPIRED)
  } finally {
    await t.close()
  }
})

test('form posts from another origin are refused by Origin, whatever the token', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const issuerOrigin = new URL(t.config.issuer).origin
    for (const origin of ['https://evil.example', 'null', `${issuerOrigin}.evil.example`, issuerOrigin.replace('http:', 'https:')]) {
      const { jar, token } = await csrfFor(t.app)
      const signInPost = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password: PASSWORD, csrf_token: token }, { origin }) })
      assertRefused(signInPost, CROSS_SITE)
      const session = await signIn(t.app)
      const signOutPost = await t.app.inject({ method: 'POST', url: '/logout', cookies: session, ...form({ csrf_token: await signedInCsrf(t.app, session) }, { origin }) })
      assertRefused(signOutPost, CROSS_SITE)
    }
    assert.equal(await sessionCount(t), 4, 'no refused sign-in made a session, no refused sign-out ended one')
  } finally {
    await t.close()
  }
})

test('form posts the browser marks cross-site or same-site (Sec-Fetch-Site) are refused', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    for (const site of ['cross-site', 'same-site']) {
      const { jar, token } = await csrfFor(t.app)
      const signInPost = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password: PASSWORD, csrf_token: token }, { 'sec-fetch-site': site }) })
      assertRefused(signInPost, CROSS_SITE)
      const session = await signIn(t.app)
      const signOutPost = await t.app.inject({ method: 'POST', url: '/logout', cookies: session, ...form({ csrf_token: await signedInCsrf(t.app, session) }, { 'sec-fetch-site': site }) })
      assertRefused(signOutPost, CROSS_SITE)
    }
  } finally {
    await t.close()
  }
})

test("posts from Gatehouse's own pages pass: Origin equal to the issuer's, Sec-Fetch-Site same-origin or none, or either absent", async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const origin = new URL(t.config.issuer).origin
    const variants: Record<string, string>[] = [
      { origin, 'sec-fetch-site': 'same-origin' },
      { origin },
      { 'sec-fetch-site': 'same-origin' },
      { 'sec-fetch-site': 'none' },
      {},
    ]
    for (const headers of variants) {
      const { jar, token } = await csrfFor(t.app)
      const signedIn = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password: PASSWORD, csrf_token: token }, headers) })
      assert.equal(signedIn.statusCode, 303, JSON.stringify(headers))
      cookiesFrom(signedIn, jar)
      const out = await t.app.inject({ method: 'POST', url: '/logout', cookies: jar, ...form({ csrf_token: await signedInCsrf(t.app, jar) }, headers) })
      assert.equal(out.statusCode, 303, JSON.stringify(headers))
    }
    assert.equal(await sessionCount(t), 0)
  } finally {
    await t.close()
  }
})

test('with secure cookies, cookie names take the __Host- prefix (Secure, Path=/, no Domain)', async () => {
  const t = await startWebApp({ secureCookies: true })
  try {
    await insertUser(t.app)
    const page = await t.app.inject({ method: 'GET', url: '/login' })
    const raw = [page.headers['set-cookie']].flat().join('\n')
    assert.match(raw, /^__Host-gatehouse_signin=[^;]+;.*Path=\/.*Secure/m)
    assert.doesNotMatch(raw, /Domain=/i)
    assert.equal(page.cookies.find((c) => c.name === 'gatehouse_signin'), undefined)

    const jar = await signIn(t.app)
    assert.deepEqual(Object.keys(jar).sort(), ['__Host-gatehouse_session'])
    const session = await signedInSetCookie(t)
    assert.match(session, /^__Host-gatehouse_session=[^;]+;.*Path=\/.*HttpOnly.*Secure.*SameSite=Lax/m)
    assert.doesNotMatch(session, /Domain=/i)
    assert.match((await t.app.inject({ method: 'GET', url: '/', cookies: jar })).body, /Signed in as/)

    // A plain-named cookie (one a sibling subdomain or a plain-http page could have planted) is not read.
    const planted = { gatehouse_session: jar['__Host-gatehouse_session'] }
    assert.doesNotMatch((await t.app.inject({ method: 'GET', url: '/', cookies: planted })).body, /Signed in as/)
    const token = await signedInCsrf(t.app, jar)
    assertRefused(await t.app.inject({ method: 'POST', url: '/logout', cookies: planted, ...form({ csrf_token: token }) }), EXPIRED)
  } finally {
    await t.close()
  }
})

test('without secure cookies, cookie names are plain and carry no Secure attribute', async () => {
  const t = await startWebApp({ secureCookies: false })
  try {
    await insertUser(t.app)
    const page = await t.app.inject({ method: 'GET', url: '/login' })
    const raw = [page.headers['set-cookie']].flat().join('\n')
    assert.match(raw, /^gatehouse_signin=[^;]+;/m)
    assert.doesNotMatch(raw, /__Host-|Secure/)
    const jar = await signIn(t.app)
    assert.deepEqual(Object.keys(jar).sort(), ['gatehouse_session'])
    const session = await signedInSetCookie(t)
    assert.match(session, /^gatehouse_session=/m)
    assert.doesNotMatch(session, /__Host-|Secure/)
    // The prefixed name means nothing here.
    assert.doesNotMatch((await t.app.inject({ method: 'GET', url: '/', cookies: { '__Host-gatehouse_session': jar.gatehouse_session } })).body, /Signed in as/)
  } finally {
    await t.close()
  }
})

/** The raw Set-Cookie header of a fresh sign-in, in the same app. */
async function signedInSetCookie(t: Awaited<ReturnType<typeof startWebApp>>): Promise<string> {
  const { jar, token } = await csrfFor(t.app)
  const response = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password: PASSWORD, csrf_token: token }) })
  assert.equal(response.statusCode, 303)
  return [response.headers['set-cookie']].flat().join('\n')
}
