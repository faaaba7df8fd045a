import { after, before, beforeEach, test } from 'node:test'
import type { Browser } from 'playwright-core'
import type { TestApp } from '../support/app.js'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths } from '../support/browser.js'
import { insertApp, insertUser, PASSWORD, startWebApp } from './fixtures.js'

// The pages that came before the console, checked with axe-core like every new one.
let t: TestApp
let browser: Browser
let owner: { id: string }

before(async () => {
  t = await startWebApp({}, { listen: true })
  await insertUser(t.app)
  // Published by another account: an app its own owner uses is personal, and never asks.
  owner = await insertUser(t.app, 'publisher')
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

test('home (signed out), sign-in, home (signed in), consent and an error page pass axe-core', async () => {
  const client = await insertApp(t.app, {
    name: 'Accessible App', isPublic: true, redirectUris: ['http://127.0.0.1:9/callback'], scopes: ['account', 'repository', 'repository:write'],
    ownerId: owner.id, homepageUrl: 'https://accessible.example/app', description: 'Shows how every page reads to a screen reader and at phone width.',
  })
  const context = await newContext(browser)
  const page = await context.newPage()
  try {
    await page.goto(t.config.issuer)
    await assertAccessible(page, 'home, signed out')

    const query = new URLSearchParams({ client_id: client.clientId, redirect_uri: 'http://127.0.0.1:9/callback', response_type: 'code', scope: 'account repository repository:write', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })
    await page.goto(`${t.config.issuer}/oauth/authorize?${query}`)
    await page.getByRole('heading', { name: 'Sign in to continue to Accessible App' }).waitFor()
    await assertAccessible(page, 'sign-in')
    await screenshotBothWidths(page, 'sign-in-for-app')
    await page.getByLabel('Username').fill('ada')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'Allow' }).waitFor()
    await page.getByText('Can change data').waitFor()
    await assertAccessible(page, 'consent')
    await screenshotBothWidths(page, 'consent')

    await t.app.db.updateTable('apps').set({ verified_at: t.app.clock.now() }).where('client_id', '=', client.clientId).execute()
    await page.reload()
    await page.getByText('Verified', { exact: true }).waitFor()
    await assertAccessible(page, 'consent, verified app')
    await screenshotBothWidths(page, 'consent-verified')

    await page.goto(t.config.issuer)
    await assertAccessible(page, 'home, signed in')

    await page.goto(`${t.config.issuer}/oauth/authorize?client_id=nobody&response_type=code`)
    await assertAccessible(page, 'error page')
  } finally {
    await context.close()
  }
})
