import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser } from 'playwright-core'
import type { TestApp } from '../support/app.js'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths } from '../support/browser.js'
import { insertUser, PASSWORD, startWebApp } from '../web/fixtures.js'

// Developer → OAuth consumers in Chromium: add one, see its Key and Secret once, edit it, rotate, delete.
let t: TestApp
let browser: Browser

before(async () => {
  t = await startWebApp({}, { listen: true })
  await insertUser(t.app)
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await t?.close()
})

test('in a browser: add a private consumer, copy its Key and Secret, edit it through the menu, rotate its secret and delete it', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  // Rotating and deleting ask first (form[data-confirm]); the person says yes.
  page.on('dialog', (dialog) => void dialog.accept())
  try {
    await page.goto(`${t.config.issuer}/login?return_to=/settings/developer/consumers`)
    await page.getByLabel('Username').fill('ada')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'OAuth consumers', level: 1 }).waitFor()
    await assertAccessible(page, 'consumers, empty')
    await screenshotBothWidths(page, 'consumers-empty')

    await page.getByRole('link', { name: 'Add consumer' }).first().click()
    await page.getByRole('textbox', { name: 'Name' }).waitFor()
    await assertAccessible(page, 'add consumer form')
    await screenshotBothWidths(page, 'consumers-new')

    // A mistake first: the form comes back with the error and what was typed.
    await page.getByRole('textbox', { name: 'Name' }).fill('Issue Tracker Sync')
    await page.getByRole('textbox', { name: 'Callback URLs' }).fill('ftp://example.com/callback')
    await page.getByRole('button', { name: 'Add consumer' }).click()
    await page.getByText(/redirect URI "ftp:\/\/example.com\/callback"/).waitFor()
    assert.equal(await page.getByRole('textbox', { name: 'Name' }).inputValue(), 'Issue Tracker Sync')
    await assertAccessible(page, 'add consumer form with an error')
    await screenshotBothWidths(page, 'consumers-new-error')

    await page.getByRole('textbox', { name: 'Description' }).fill('Keeps issues in step with your tracker.')
    await page.getByRole('textbox', { name: 'Callback URLs' }).fill('https://sync.example/callback\nhttps://sync.example/other')
    await page.getByRole('textbox', { name: /^URL/ }).fill('https://sync.example')
    await page.getByLabel('This is a private consumer').check()
    await page.locator('input[name="scope"][value="repository"]').check()
    await page.getByRole('button', { name: 'Add consumer' }).click()

    await page.getByRole('heading', { name: 'Credentials' }).waitFor()
    const key = await page.getByLabel('Key', { exact: true }).inputValue()
    const secret = await page.getByLabel('Secret', { exact: true }).inputValue()
    assert.match(secret, /^gth_cs_/)
    await page.getByText('It will not be shown again').waitFor()
    // The copy button is progressive enhancement: shown by the script, working with the clipboard.
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.config.issuer })
    await page.locator('button[data-copy="secret"]').click()
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret)
    await assertAccessible(page, 'consumer created')
    await screenshotBothWidths(page, 'consumers-created')

    // The secret works at the token endpoint, and is never shown again.
    const token = await fetch(`${t.config.issuer}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    })
    assert.equal(token.status, 200)

    await page.goto(`${t.config.issuer}/settings/developer/consumers`)
    await page.getByRole('link', { name: 'Issue Tracker Sync' }).waitFor()
    assert.doesNotMatch(await page.content(), new RegExp(secret))
    await page.getByLabel('Actions for Issue Tracker Sync').click()
    await screenshotBothWidths(page, 'consumers-list-menu')
    await assertAccessible(page, 'consumers list with the menu open')
    await page.getByRole('link', { name: 'Edit' }).click()
    await page.getByRole('textbox', { name: 'Name' }).fill('Issue Sync')
    await page.getByRole('button', { name: 'Save changes' }).click()
    await page.getByText('Your changes are saved.').waitFor()
    await assertAccessible(page, 'consumer page')
    await screenshotBothWidths(page, 'consumers-consumer')

    await page.getByRole('button', { name: 'Rotate secret' }).first().click()
    await page.getByRole('heading', { name: 'New secret', level: 2 }).waitFor()
    const rotated = await page.getByLabel('Secret', { exact: true }).inputValue()
    assert.notEqual(rotated, secret)
    await screenshotBothWidths(page, 'consumers-rotated')

    await page.goto(`${t.config.issuer}/settings/developer/consumers/${key}`)
    await page.locator('.danger').getByRole('button', { name: /^Delete/ }).click()
    await page.getByText('The consumer is deleted').waitFor()
    assert.equal(await page.getByRole('link', { name: 'Issue Sync' }).count(), 0)
  } finally {
    await context.close()
  }
})
