import assert from 'node:assert/strict'
import { test } from 'node:test'
import { csrfFor, form, insertUser, PASSWORD, signIn, startWebApp } from './fixtures.js'

const EXPIRED = 'This form has expired; go back and try again'

test('CSRF: a sign-in post without the token field is refused with 403', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const { jar } = await csrfFor(t.app)
    const response = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password: PASSWORD }) })
    assert.equal(response.statusCode, 403)
    assert.match(response.headers['content-type'] as string, /text\/html/)
    assert.match(response.body, new RegExp(EXPIRED))
    assert.equal(response.cookies.find((c) => c.name === 'gatehouse_session'), undefined)
  } finally {
    await t.close()
  }
})

test('CSRF: a token that does not match the cookie is refused with 403', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const { jar } = await csrfFor(t.app)
    const { token: otherBrowsersToken } = await csrfFor(t.app)
    const response = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username: 'ada', password: PASSWORD, csrf_token: otherBrowsersToken }) })
    assert.equal(response.statusCode, 403)
    assert.match(response.body, new RegExp(EXPIRED))
  } finally {
    await t.close()
  }
})

test('CSRF: a token field without its cookie (a cross-site post) is refused with 403', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const { token } = await csrfFor(t.app)
    const response = await t.app.inject({ method: 'POST', url: '/login', ...form({ username: 'ada', password: PASSWORD, csrf_token: token }) })
    assert.equal(response.statusCode, 403)
  } finally {
    await t.close()
  }
})

test('CSRF: a cross-site sign-out post does not end the session', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const jar = await signIn(t.app)
    const response = await t.app.inject({ method: 'POST', url: '/logout', cookies: jar, ...form({ csrf_token: 'x'.repeat(43) }) })
    assert.equal(response.statusCode, 403)
    assert.match(response.body, new RegExp(EXPIRED))
    assert.equal((await t.app.db.selectFrom('sessions').selectAll().execute()).length, 1)
    assert.match((await t.app.inject({ method: 'GET', url: '/', cookies: jar })).body, /Signed in as/)
  } finally {
    await t.close()
  }
})

test('a page reuses the browser’s CSRF cookie, so forms open in two tabs both work', async () => {
  const t = await startWebApp()
  try {
    const { jar, token } = await csrfFor(t.app)
    const again = await csrfFor(t.app, jar)
    assert.equal(again.token, token)
    assert.equal(jar.gatehouse_csrf, token)
  } finally {
    await t.close()
  }
})
