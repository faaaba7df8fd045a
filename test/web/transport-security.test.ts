import assert from 'node:assert/strict'
import { test } from 'node:test'
import { testConfig } from '../../src/config.js'
import { buildServer } from '../../src/server.js'
import { freePort } from '../support/app.js'
import { launchBrowser, newContext } from '../support/browser.js'
import { createTestDatabase } from '../support/database.js'
import { insertUser, PASSWORD, signIn, startWebApp } from './fixtures.js'

// Pages and what a signed-in user sees, signed out and in: each must carry the same transport headers.
const PAGES = ['/', '/login', '/settings', '/no-such-page']

test('regression: over a plain-http issuer (HOST=0.0.0.0 on a LAN) pages send neither upgrade-insecure-requests nor HSTS', async () => {
  const t = await startWebApp({ issuer: 'http://192.0.2.10:8080', audience: 'http://192.0.2.10:8080/2.0' })
  try {
    await insertUser(t.app)
    const jar = await signIn(t.app)
    for (const url of PAGES) {
      for (const cookies of [{}, jar]) {
        const response = await t.app.inject({ method: 'GET', url, cookies, headers: { accept: 'text/html' } })
        const csp = response.headers['content-security-policy'] as string
        assert.match(csp, /default-src 'self'/, url)
        assert.doesNotMatch(csp, /upgrade-insecure-requests/, url)
        assert.equal(response.headers['strict-transport-security'], undefined, url)
      }
    }
  } finally {
    await t.close()
  }
})

test('over an https issuer pages send upgrade-insecure-requests and HSTS', async () => {
  const t = await startWebApp({ issuer: 'https://id.example', audience: 'https://id.example/2.0' })
  try {
    for (const url of PAGES) {
      const response = await t.app.inject({ method: 'GET', url, headers: { accept: 'text/html' } })
      assert.match(response.headers['content-security-policy'] as string, /upgrade-insecure-requests/, url)
      assert.match(response.headers['strict-transport-security'] as string, /^max-age=\d+/, url)
    }
  } finally {
    await t.close()
  }
})

test('regression: a browser reaching a plain-http issuer by a non-loopback name gets the stylesheet and can sign in', async () => {
  const database = await createTestDatabase()
  const port = await freePort()
  // Not 127.0.0.1: browsers treat loopback as trustworthy, and the bug showed only from another machine.
  const origin = `http://gatehouse.lan:${port}`
  const config = testConfig({ databaseUrl: database.url, kek: database.kek, throttle: false, rateLimitPerMinute: 0, seedDemo: false, port, issuer: origin, audience: `${origin}/2.0` })
  const app = await buildServer(config)
  await app.listen({ host: '127.0.0.1', port })
  const browser = await launchBrowser([`--host-resolver-rules=MAP gatehouse.lan 127.0.0.1`])
  try {
    await insertUser(app)
    const context = await newContext(browser)
    const page = await context.newPage()
    const failed: string[] = []
    page.on('requestfailed', (request) => failed.push(request.url()))
    await page.goto(`${origin}/login`)
    assert.deepEqual(failed, [], 'every request of the sign-in page stays on http and is answered')
    const stylesheetRules = await page.evaluate(() => [...document.styleSheets].reduce((sum, sheet) => sum + sheet.cssRules.length, 0))
    assert.ok(stylesheetRules > 0, 'the stylesheet did not load')
    await page.getByLabel('Username').fill('ada')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`${origin}/`)
    await page.getByRole('link', { name: 'ada' }).waitFor()
    assert.deepEqual(failed, [])
    await context.close()
  } finally {
    await browser.close()
    await app.close()
    await database.drop()
  }
})
