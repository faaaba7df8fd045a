import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser } from 'playwright-core'
import type { TestApp } from '../support/app.js'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths } from '../support/browser.js'
import { form, insertUser, PASSWORD, signIn, startWebApp } from './fixtures.js'

// What Chromium sends when a person opens a link or types an address.
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8'

let t: TestApp

before(async () => {
  t = await startWebApp()
  await insertUser(t.app)
})

after(async () => {
  await t?.close()
})

function assertHtmlPage(response: { statusCode: number; headers: Record<string, unknown>; body: string }, status: number, title: string): void {
  assert.equal(response.statusCode, status)
  assert.match(response.headers['content-type'] as string, /^text\/html/)
  assert.equal(response.headers['cache-control'], 'no-store')
  assert.match(response.headers['content-security-policy'] as string, /default-src 'self'/)
  assert.equal(response.headers['x-content-type-options'], 'nosniff')
  assert.match(response.body, new RegExp(`<h1 id="error-title">${title}</h1>`))
}

test('regression: a browser opening a missing page gets an HTML page, not raw JSON', async () => {
  const response = await t.app.inject({ method: 'GET', url: '/no-such-page?x=1', headers: { accept: BROWSER_ACCEPT } })
  assertHtmlPage(response, 404, 'Not found')
  assert.match(response.body, /There is no page at \/no-such-page\./)
  assert.match(response.body, /<a class="button primary" href="\/">|href="\/"/)
})

test('programs get JSON for a missing route: curl, fetch(), and an explicit application/json', async () => {
  for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/html;q=0.5', 'text/html, application/json']) {
    const response = await t.app.inject({ method: 'GET', url: '/no-such-page', headers: accept === undefined ? {} : { accept } })
    assert.equal(response.statusCode, 404, String(accept))
    assert.match(response.headers['content-type'] as string, /^application\/json/, String(accept))
    assert.equal(response.json().error.code, 'ERR_NOT_FOUND', String(accept))
  }
})

test('the API, OAuth endpoints and discovery answer JSON even to a browser', async () => {
  for (const url of ['/2.0/no-such-thing', '/2.0', '/oauth/no-such-endpoint', '/.well-known/no-such-document']) {
    const response = await t.app.inject({ method: 'GET', url, headers: { accept: BROWSER_ACCEPT } })
    assert.equal(response.statusCode, 404, url)
    assert.match(response.headers['content-type'] as string, /^application\/json/, url)
  }
  // RFC 6749 §5.2: the token endpoint's errors are its JSON, whatever the client accepts.
  const token = await t.app.inject({ method: 'POST', url: '/oauth/token', ...form({ grant_type: 'nonsense' }, { accept: BROWSER_ACCEPT }) })
  assert.equal(token.statusCode, 401)
  assert.match(token.headers['content-type'] as string, /^application\/json/)
  assert.equal(token.json().error, 'invalid_client')
})

test('a missing page shows the signed-in user in the header, though no page scope parsed the cookies', async () => {
  const jar = await signIn(t.app)
  const response = await t.app.inject({ method: 'GET', url: '/no-such-page', cookies: jar, headers: { accept: BROWSER_ACCEPT } })
  assertHtmlPage(response, 404, 'Not found')
  assert.match(response.body, /<a class="account-name" href="\/settings" title="Settings">ada<\/a>/)
  // The sign-out form in that header works: its token is the session's.
  const token = /name="csrf_token" value="([^"]+)"/.exec(response.body)![1]
  const signOut = await t.app.inject({ method: 'POST', url: '/logout', cookies: jar, ...form({ csrf_token: token }) })
  assert.equal(signOut.statusCode, 303)
})

test("an error on a page route shows who is signed in: a refused form's 403 page", async () => {
  const jar = await signIn(t.app)
  const response = await t.app.inject({ method: 'POST', url: '/logout', cookies: jar, ...form({ csrf_token: 'x'.repeat(43) }, { accept: BROWSER_ACCEPT }) })
  assertHtmlPage(response, 403, 'Not allowed')
  assert.match(response.body, /This form has expired/)
  assert.match(response.body, /<a class="account-name" href="\/settings" title="Settings">ada<\/a>/)
})

test('a malformed URL opened in a browser gets a 400 page; the API keeps its JSON', async () => {
  const page = await t.app.inject({ method: 'GET', url: '/settings/%E0%A4%A', headers: { accept: BROWSER_ACCEPT } })
  assertHtmlPage(page, 400, 'This request cannot be completed')
  const api = await t.app.inject({ method: 'GET', url: '/2.0/repositories/%E0%A4%A', headers: { accept: BROWSER_ACCEPT } })
  assert.equal(api.statusCode, 400)
  assert.equal(api.json().error.code, 'FST_ERR_BAD_URL')
})

test('the favicon answers at /favicon.svg and /favicon.ico as SVG', async () => {
  for (const url of ['/favicon.svg', '/favicon.ico']) {
    const response = await t.app.inject({ method: 'GET', url })
    assert.equal(response.statusCode, 200, url)
    assert.equal(response.headers['content-type'], 'image/svg+xml', url)
    assert.match(response.body, /^<svg/, url)
  }
})

test('with the database gone, a missing page is still a 404 page (without the account) and a page needing the database a 503 page', async () => {
  const own = await startWebApp()
  try {
    await insertUser(own.app)
    const jar = await signIn(own.app)
    await own.app.db.destroy()
    const missing = await own.app.inject({ method: 'GET', url: '/no-such-page', cookies: jar, headers: { accept: BROWSER_ACCEPT } })
    assertHtmlPage(missing, 404, 'Not found')
    assert.doesNotMatch(missing.body, /account-name/)
    const home = await own.app.inject({ method: 'GET', url: '/', cookies: jar, headers: { accept: BROWSER_ACCEPT } })
    assertHtmlPage(home, 503, 'Temporarily unavailable')
    assert.match(home.headers['retry-after'] as string, /^\d+$/)
  } finally {
    await own.close()
  }
})

test('the not-found page passes axe-core, signed out and signed in', async () => {
  const served = await startWebApp({}, { listen: true })
  let browser: Browser | undefined
  try {
    await insertUser(served.app)
    browser = await launchBrowser()
    const context = await newContext(browser)
    const page = await context.newPage()
    const response = await page.goto(`${served.config.issuer}/no-such-page`)
    assert.equal(response?.status(), 404)
    await page.getByRole('heading', { name: 'Not found' }).waitFor()
    await assertAccessible(page, 'not found, signed out')

    await page.goto(`${served.config.issuer}/login`)
    await page.getByLabel('Username').fill('ada')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`${served.config.issuer}/`)
    await page.goto(`${served.config.issuer}/no-such-page`)
    await page.getByRole('link', { name: 'ada' }).waitFor()
    await assertAccessible(page, 'not found, signed in')
    await screenshotBothWidths(page, 'not-found')
    await context.close()
  } finally {
    await browser?.close()
    await served.close()
  }
})
