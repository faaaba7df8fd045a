import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { after, before, beforeEach, test } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { isOpaqueToken } from '../../src/domain/opaque-token.js'
import type { TestApp } from '../support/app.js'
import { launchBrowser, screenshot } from '../support/browser.js'
import { insertApp, insertUser, PASSWORD, startWebApp, type TestClient } from './fixtures.js'

// The sign-in and consent pages in a real Chromium, against a real client callback on another origin:
// this is where the CSP's form-action, cookies' SameSite and the redirects meet.
let t: TestApp
let browser: Browser
let client: TestClient
let callbackServer: Server
let callbackUri: string
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

before(async () => {
  t = await startWebApp({}, { listen: true })
  callbackServer = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://client.test')
    if (url.pathname === '/forged') {
      // Another origin on the same host (so the same site: SameSite=Lax cookies go along) posting to Gatehouse.
      const token = (url.searchParams.get('token') ?? '').replace(/[^A-Za-z0-9_-]/g, '')
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
        `<!doctype html><title>Prize</title><form method="post" action="${t.config.issuer}/logout"><input type="hidden" name="csrf_token" value="${token}"><button>Claim your prize</button></form>`,
      )
      return
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Client</title><p>Back at the client.</p>')
  })
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve))
  callbackUri = `http://127.0.0.1:${(callbackServer.address() as { port: number }).port}/callback`
  await insertUser(t.app)
  // Published by another account: an app its own owner uses is personal, and never asks.
  const publisher = await insertUser(t.app, 'syncco')
  client = await insertApp(t.app, {
    name: 'Issue Tracker Sync', isPublic: true, redirectUris: [callbackUri], scopes: ['account', 'repository', 'issue', 'issue:write'],
    ownerId: publisher.id, homepageUrl: 'https://sync.example/', description: 'Copies issues between Gatehouse and your tracker.',
  })
  browser = await launchBrowser()
})

// These tests are about the consent page: each starts with no decision remembered (test/consent covers remembering).
beforeEach(async () => {
  await t.app.db.deleteFrom('consent_decisions').execute()
})

after(async () => {
  await browser?.close()
  callbackServer?.close()
  await t?.close()
})

// A broken flow fails in seconds instead of Playwright's default half-minute.
async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext()
  context.setDefaultTimeout(10_000)
  return { context, page: await context.newPage() }
}

function authorizeUrl(overrides: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: callbackUri,
    response_type: 'code',
    scope: 'account repository issue',
    state: 'browser-state',
    code_challenge: CHALLENGE,
    code_challenge_method: 'S256',
    ...overrides,
  })
  return `${t.config.issuer}/oauth/authorize?${query}`
}

async function signInThroughAuthorize(page: Page, shots: boolean): Promise<void> {
  await page.goto(authorizeUrl())
  assert.equal(new URL(page.url()).pathname, '/login')
  await page.getByRole('heading', { name: 'Sign in to continue to Issue Tracker Sync' }).waitFor()
  if (shots) await screenshot(page, 'login')
  await page.getByLabel('Username').fill('ada')
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Allow Issue Tracker Sync to access your account?' }).waitFor()
}

test('in a browser: sign in, see the consent page, Allow, and land on the client with code, state and iss', async () => {
  const { context, page } = await newPage()
  try {
    await signInThroughAuthorize(page, true)
    assert.equal(new URL(page.url()).pathname, '/oauth/authorize')
    const text = await page.locator('main').innerText()
    assert.match(text, /Issue Tracker Sync/)
    assert.match(text, /signed in as ada/)
    assert.match(text, /Read your account \(username and display name\)/)
    assert.match(text, /Read the repositories you can see/)
    assert.match(text, /Read issues and their comments/)
    assert.match(text, /by syncco/)
    assert.match(text, /Copies issues between Gatehouse and your tracker\./)
    assert.match(text, /Unverified\s+An administrator of this Gatehouse has not verified this app/)
    assert.equal(await page.getByRole('link', { name: 'sync.example' }).getAttribute('rel'), 'noopener noreferrer')
    assert.doesNotMatch(text, /Can change data/, 'only read scopes were asked for')
    // The stylesheet loaded (the CSP allows it): the primary button is not the browser default.
    const background = await page.getByRole('button', { name: 'Allow' }).evaluate((button) => getComputedStyle(button).backgroundColor)
    assert.notEqual(background, 'rgb(239, 239, 239)')
    await screenshot(page, 'consent')

    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL((url) => url.toString().startsWith(callbackUri))
    const landed = new URL(page.url())
    assert.ok(isOpaqueToken(landed.searchParams.get('code') ?? '', 'authorizationCode'))
    assert.equal(landed.searchParams.get('state'), 'browser-state')
    assert.equal(landed.searchParams.get('iss'), t.config.issuer)
    assert.match(await page.locator('body').innerText(), /Back at the client/)
  } finally {
    await context.close()
  }
})

test('in a browser: Deny lands on the client with error=access_denied', async () => {
  const { context, page } = await newPage()
  try {
    await signInThroughAuthorize(page, false)
    await page.getByRole('button', { name: 'Deny' }).click()
    await page.waitForURL((url) => url.toString().startsWith(callbackUri))
    const landed = new URL(page.url())
    assert.equal(landed.searchParams.get('error'), 'access_denied')
    assert.equal(landed.searchParams.get('state'), 'browser-state')
    assert.equal(landed.searchParams.get('iss'), t.config.issuer)
    assert.equal(landed.searchParams.get('code'), null)
  } finally {
    await context.close()
  }
})

test('in a browser: a wrong password shows the message, and the next try still gets through', async () => {
  const { context, page } = await newPage()
  try {
    await page.goto(authorizeUrl())
    await page.getByLabel('Username').fill('ada')
    await page.getByLabel('Password').fill('not the password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('alert').waitFor()
    assert.equal(await page.getByRole('alert').innerText(), 'Incorrect username or password')
    await screenshot(page, 'login-error')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'Allow' }).waitFor()
  } finally {
    await context.close()
  }
})

test('in a browser: an unregistered redirect_uri shows the error page and does not navigate away', async () => {
  const { context, page } = await newPage()
  try {
    const url = authorizeUrl({ redirect_uri: 'https://evil.example/callback' })
    const response = await page.goto(url)
    assert.equal(response?.status(), 400)
    assert.equal(page.url(), url)
    await page.getByRole('heading', { name: 'This request cannot be completed' }).waitFor()
    assert.match(await page.getByRole('alert').innerText(), /does not match any registered/)
    await screenshot(page, 'error')
  } finally {
    await context.close()
  }
})

test('in a browser: signing out from the home page ends the session', async () => {
  const { context, page } = await newPage()
  try {
    await signInThroughAuthorize(page, false)
    await page.goto(`${t.config.issuer}/`)
    await page.getByText('Signed in as ada').waitFor()
    await screenshot(page, 'home')
    await page.getByRole('button', { name: 'Sign out' }).click()
    await page.getByRole('link', { name: 'Sign in' }).waitFor()
    await page.goto(authorizeUrl())
    assert.equal(new URL(page.url()).pathname, '/login')
  } finally {
    await context.close()
  }
})

test('in a browser: prompt=login asks a signed-in user to sign in again, then continues to consent and the client', async () => {
  const { context, page } = await newPage()
  try {
    await signInThroughAuthorize(page, false)
    await page.goto(authorizeUrl({ prompt: 'login' }))
    await page.getByRole('heading', { name: 'Sign in again to continue' }).waitFor()
    assert.equal(new URL(page.url()).pathname, '/login')
    await screenshot(page, 'login-again')
    await page.getByLabel('Username').fill('ada')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Allow Issue Tracker Sync to access your account?' }).waitFor()
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL((url) => url.toString().startsWith(callbackUri))
    assert.ok(isOpaqueToken(new URL(page.url()).searchParams.get('code') ?? '', 'authorizationCode'))
  } finally {
    await context.close()
  }
})

test('in a browser: prompt=none goes straight back to the client, with login_required signed out and consent_required signed in', async () => {
  const { context, page } = await newPage()
  try {
    for (const expected of ['login_required', 'consent_required']) {
      if (expected === 'consent_required') await signInThroughAuthorize(page, false)
      await page.goto(authorizeUrl({ prompt: 'none' }))
      await page.waitForURL((url) => url.toString().startsWith(callbackUri))
      const landed = new URL(page.url())
      assert.equal(landed.searchParams.get('error'), expected)
      assert.equal(landed.searchParams.get('state'), 'browser-state')
      assert.equal(landed.searchParams.get('iss'), t.config.issuer)
    }
  } finally {
    await context.close()
  }
})

test('in a browser: a form on another origin cannot sign the user out, even holding a valid token', async () => {
  const { context, page } = await newPage()
  try {
    await signInThroughAuthorize(page, false)
    await page.goto(`${t.config.issuer}/`)
    // As if the token had leaked: only the Origin and Sec-Fetch-Site checks stand in the way.
    const token = await page.locator('input[name="csrf_token"]').first().getAttribute('value')
    assert.ok(token)
    await page.goto(`${new URL(callbackUri).origin}/forged?token=${token}`)
    const [response] = await Promise.all([page.waitForResponse(`${t.config.issuer}/logout`), page.getByRole('button', { name: 'Claim your prize' }).click()])
    assert.equal(response.status(), 403)
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor()
    assert.match(await page.getByRole('alert').innerText(), /This form was not sent from a Gatehouse page/)
    await screenshot(page, 'cross-site-form')
    await page.goto(`${t.config.issuer}/`)
    await page.getByText('Signed in as ada').waitFor()
  } finally {
    await context.close()
  }
})

test('in a browser: write scopes appear apart, under "Can change data", and Allow still reaches the client', async () => {
  const { context, page } = await newPage()
  try {
    await page.goto(authorizeUrl({ scope: 'account issue issue:write' }))
    await page.getByLabel('Username').fill('ada')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    const writes = page.getByRole('list', { name: 'Can change data' })
    await writes.waitFor()
    assert.deepEqual(await writes.locator('code').allInnerTexts(), ['issue:write'])
    await screenshot(page, 'consent-write-scopes')
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL((url) => url.toString().startsWith(callbackUri))
    assert.ok(isOpaqueToken(new URL(page.url()).searchParams.get('code') ?? '', 'authorizationCode'))
  } finally {
    await context.close()
  }
})
