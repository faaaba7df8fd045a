import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { isEnabledFor } from '../../src/labs/index.js'
import type { TestApp } from '../support/app.js'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths } from '../support/browser.js'
import { insertUser, PASSWORD, startWebApp } from '../web/fixtures.js'

// The Labs page in Chromium, in both deployment modes: axe-core at both widths, screenshots to look
// at, and flags turned on and off through the real forms.
let browser: Browser

before(async () => {
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

async function signInTo(t: TestApp, page: Page, username: string, returnTo: string): Promise<void> {
  await page.goto(`${t.config.issuer}/login?return_to=${encodeURIComponent(returnTo)}`)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => url.pathname === returnTo)
}

function flag(page: Page, title: string) {
  return page.getByRole('listitem').filter({ has: page.getByRole('heading', { level: 2, name: title }) })
}

describe('GATEHOUSE_EXPLICIT_CONSENT=labs', () => {
  let t: TestApp
  before(async () => {
    t = await startWebApp({ explicitConsent: 'labs' }, { listen: true })
  })
  after(async () => {
    await t?.close()
  })

  test('a vendor turns both flags on from the Labs page, then one off', async () => {
    const vendor = await insertUser(t.app, 'vendor')
    const context = await newContext(browser)
    const page = await context.newPage()
    try {
      await signInTo(t, page, 'vendor', '/settings/profile')
      await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Labs' }).click()
      await page.getByRole('heading', { level: 1, name: 'Labs' }).waitFor()
      assert.equal(await page.getByText('on for everyone on this deployment').count(), 0)
      await assertAccessible(page, 'labs')
      await screenshotBothWidths(page, 'labs')

      const user = flag(page, "Explicit consent for embedded apps' requests")
      const forVendors = flag(page, "Explicit consent for my apps' requests (vendors)")
      await user.getByRole('button', { name: 'Turn on' }).click()
      await page.getByRole('status').filter({ hasText: "“Explicit consent for embedded apps' requests” is on for your account." }).waitFor()
      await forVendors.getByRole('button', { name: 'Turn on' }).click()
      await page.getByRole('status').filter({ hasText: 'is on for your account.' }).waitFor()
      assert.match(await forVendors.innerText(), /On\s+since \d+ \w+ \d{4}/)
      assert.equal(await isEnabledFor(t.app.db, vendor.id, 'explicit-consent'), true)
      assert.equal(await isEnabledFor(t.app.db, vendor.id, 'explicit-consent-vendor'), true)
      await assertAccessible(page, 'labs, both on')
      await screenshotBothWidths(page, 'labs-on')

      await user.getByRole('button', { name: 'Turn off' }).click()
      await page.getByRole('status').filter({ hasText: 'is off for your account.' }).waitFor()
      assert.equal(await isEnabledFor(t.app.db, vendor.id, 'explicit-consent'), false)
      assert.equal(await user.getByRole('button', { name: 'Turn on' }).count(), 1)
    } finally {
      await context.close()
    }
  })
})

describe('GATEHOUSE_EXPLICIT_CONSENT=on (the default)', () => {
  let t: TestApp
  before(async () => {
    t = await startWebApp({}, { listen: true })
  })
  after(async () => {
    await t?.close()
  })

  test('each flag says the deployment has explicit consent on for everyone', async () => {
    await insertUser(t.app, 'ada')
    const context = await newContext(browser)
    const page = await context.newPage()
    try {
      await signInTo(t, page, 'ada', '/account/labs')
      assert.equal(await page.getByText('Explicit consent is on for everyone on this deployment, whatever this flag says.').count(), 2)
      await assertAccessible(page, 'labs in mode on')
      await screenshotBothWidths(page, 'labs-mode-on')
    } finally {
      await context.close()
    }
  })
})
