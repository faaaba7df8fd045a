import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { TestApp } from '../support/app.js'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths, WIDTHS } from '../support/browser.js'
import { insertUser, PASSWORD, startWebApp } from '../web/fixtures.js'

// The whole walk-through in Chromium with JavaScript off: every step is a link or a form.
let t: TestApp
let browser: Browser

before(async () => {
  t = await startWebApp({ playground: true }, { listen: true })
  await insertUser(t.app)
  browser = await launchBrowser()
})

// These tests are about the consent page: each starts with no decision remembered (test/consent covers remembering).
beforeEach(async () => {
  await t.app.db.deleteFrom('consent_decisions').execute()
})

after(async () => {
  await browser?.close()
  await t?.close()
})

/**
 * axe-core runs as a script, which this walk's context does not allow: the page as it stands (same
 * cookies, so the same walk-through) is loaded in a context with JavaScript to check and photograph.
 */
async function checkPage(walk: BrowserContext, url: string, label: string, name: string): Promise<void> {
  const auditor = await newContext(browser)
  try {
    await auditor.addCookies(await walk.cookies())
    const page = await auditor.newPage()
    await page.goto(url)
    await assertAccessible(page, label)
    await screenshotBothWidths(page, name)
  } finally {
    await auditor.close()
  }
}

/** The response block of a step, as the page shows it. */
async function responseOf(page: Page, step: number): Promise<string> {
  return page.locator(`#step-${step} pre.http`).last().innerText()
}

test('in a browser without JavaScript: from the home page through every step of the playground', async () => {
  const context = await browser.newContext({ viewport: WIDTHS.desktop, javaScriptEnabled: false })
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  try {
    await page.goto(t.config.issuer)
    await page.getByRole('link', { name: 'Try the playground' }).click()
    await page.getByRole('heading', { name: 'OAuth playground', level: 1 }).waitFor()
    await checkPage(context, page.url(), 'playground, first visit', 'playground-start')

    // Step 1: choose the scopes and build the URL.
    await page.getByRole('checkbox', { name: /^read:issue Read issues/ }).check()
    await page.getByRole('button', { name: 'Build the authorization URL' }).click()
    await page.getByRole('link', { name: 'Sign in and allow' }).waitFor()
    assert.match(await page.locator('#step-1 pre.http').innerText(), /&scope=read%3Aissue\+read%3Arepository\+read%3Auser\n/)
    await checkPage(context, page.url(), 'playground, authorization URL built', 'playground-url')

    // Step 2: the real sign-in and consent pages.
    await page.getByRole('link', { name: 'Sign in and allow' }).click()
    await page.getByRole('heading', { name: 'Sign in to continue to Gatehouse playground' }).waitFor()
    await page.getByLabel('Username').fill('ada')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Allow Gatehouse playground to access your account?' }).waitFor()
    assert.match(await page.locator('main').innerText(), /Verified/)
    await page.getByRole('button', { name: 'Allow' }).click()

    // Step 3: back at the playground with the code.
    await page.waitForURL(`${t.config.issuer}/playground#step-3`)
    assert.match(await page.locator('#step-3').innerText(), /state is the one sent in step 1/)
    await checkPage(context, page.url(), 'playground, code received', 'playground-callback')

    // Step 4: the exchange.
    await page.getByRole('button', { name: 'Exchange the code' }).click()
    await page.waitForURL(`${t.config.issuer}/playground#step-4`)
    assert.match(await responseOf(page, 4), /^HTTP\/1\.1 200 OK/)
    assert.match(await responseOf(page, 4), /"refresh_token": "gth_rt_/)
    await checkPage(context, page.url(), 'playground, tokens', 'playground-tokens')

    // Steps 5 to 8.
    await page.getByRole('button', { name: 'Call GET /2.0/user' }).click()
    await page.waitForURL(`${t.config.issuer}/playground#step-5`)
    assert.match(await responseOf(page, 5), /"username": "ada"/)
    await page.getByRole('button', { name: 'Refresh the tokens' }).click()
    await page.waitForURL(`${t.config.issuer}/playground#step-6`)
    assert.match(await responseOf(page, 6), /^HTTP\/1\.1 200 OK/)
    await page.getByRole('button', { name: 'Introspect the access token' }).click()
    await page.waitForURL(`${t.config.issuer}/playground#step-7`)
    assert.match(await responseOf(page, 7), /"active": true/)
    await page.getByRole('button', { name: 'Revoke the refresh token' }).click()
    await page.waitForURL(`${t.config.issuer}/playground#step-8`)
    assert.match(await responseOf(page, 8), /^HTTP\/1\.1 200 OK/)
    await page.getByRole('button', { name: 'Introspect the access token' }).click()
    await page.waitForURL(`${t.config.issuer}/playground#step-7`)
    assert.match(await responseOf(page, 7), /"active": false/)
    await checkPage(context, page.url(), 'playground, every step done', 'playground-done')

    // Start over: a new request with a new state, without JavaScript too.
    const state = await page.locator('#step-1 dd code').first().innerText()
    await page.locator('summary', { hasText: 'Start over with a new authorization request' }).click()
    await page.getByRole('button', { name: 'Build a new authorization URL' }).click()
    await page.getByRole('link', { name: 'Sign in and allow' }).waitFor()
    assert.notEqual(await page.locator('#step-1 dd code').first().innerText(), state)
    assert.match(await page.locator('#step-4').innerText(), /Waiting for a code in step 3/)
  } finally {
    await context.close()
  }
})
