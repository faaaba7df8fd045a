import assert from 'node:assert/strict'
import { mkdirSync } from 'node:fs'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import type { TestApp } from '../support/app.js'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths, WIDTHS } from '../support/browser.js'
import { addDescriptorApp } from '../support/installed-app.js'
import { insertApp, insertUser, PASSWORD, startWebApp } from '../web/fixtures.js'

// The Scope usage section in Chromium, at a laptop's and a phone's width, with the pages'
// Content-Security-Policy on: there with JavaScript off (it needs none), accessible, and nothing
// wider than the screen. (Axe runs in the page, so that part has JavaScript on.)

let t: TestApp
let browser: Browser
let consumerKey: string
let installedKey: string

before(async () => {
  t = await startWebApp({}, { listen: true })
  const ada = await insertUser(t.app, 'ada')
  const day = new Date().toISOString().slice(0, 10)
  const consumer = await insertApp(t.app, { ownerId: ada.id, name: 'Issue Tracker Sync', scopes: ['read:user', 'workspace', 'issue', 'repository:write', 'read:repository'] })
  consumerKey = consumer.clientId
  const installed = await addDescriptorApp(t.app, 'usage-reports', ['read:repository', 'issue', 'read:user'], ada.id)
  installedKey = installed.key
  const rows: [string, string, string, number][] = [
    [consumerKey, 'getCurrentUser', 'read:user', 1204],
    [consumerKey, 'listWorkspaces', 'workspace', 310],
    [consumerKey, 'listWorkspaceMembers', 'workspace', 42],
    [consumerKey, 'listRepositories', 'read:repository', 88],
    [installedKey, 'listIssues', 'issue', 17],
    [installedKey, 'listIssueComments', 'issue', 5],
  ]
  await t.app.db.insertInto('scope_usage').values(rows.map(([client_id, operation_id, scope, calls]) => ({ client_id, day, operation_id, scope, calls }))).execute()
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await t?.close()
})

async function signedIn(returnTo: string, javaScriptEnabled: boolean): Promise<Page> {
  const context = await browser.newContext({ viewport: WIDTHS.desktop, javaScriptEnabled })
  context.setDefaultTimeout(10_000)
  const page = await context.newPage()
  await page.goto(`${t.config.issuer}/login?return_to=${encodeURIComponent(returnTo)}`)
  await page.getByLabel('Username').fill('ada')
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  return page
}

/** Nothing in the section reaches past it (no badge or code sticking out, no sideways scrolling on a phone). */
async function assertFits(page: Page): Promise<void> {
  for (const size of Object.values(WIDTHS)) {
    await page.setViewportSize(size)
    const overflow = await page.evaluate(() => {
      const section = document.querySelector('.scope-usage')!
      const edge = Math.min(section.getBoundingClientRect().right, document.documentElement.clientWidth)
      return [...section.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > edge + 0.5).map((e) => e.outerHTML.slice(0, 80))
    })
    assert.deepEqual(overflow, [], `at ${size.width}px`)
  }
  await page.setViewportSize(WIDTHS.desktop)
}

/** The section alone, at both widths (test-results/<name>-desktop.png, -phone.png), to look at closely. */
async function screenshotSection(page: Page, name: string): Promise<void> {
  mkdirSync('test-results', { recursive: true })
  for (const [label, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size)
    await page.locator('.scope-usage').screenshot({ path: `test-results/${name}-${label}.png` })
  }
  await page.setViewportSize(WIDTHS.desktop)
}

test('in a browser: the consumer page\'s Scope usage section, without JavaScript, then at 1280 and 390 px', async () => {
  const noScript = await signedIn(`/settings/developer/consumers/${consumerKey}`, false)
  const plain = noScript.getByRole('region', { name: 'Scope usage' })
  await plain.waitFor()
  assert.match(await plain.innerText(), /Never used\s+issue\s+repository:write/)
  assert.match(await plain.innerText(), /workspace → read:workspace, read:workspace-member/)
  await plain.getByRole('link', { name: 'The scope reference' }).waitFor()
  await noScript.context().close()

  const page = await signedIn(`/settings/developer/consumers/${consumerKey}`, true)
  const section = page.getByRole('region', { name: 'Scope usage' })
  await section.waitFor()
  await assertAccessible(page, 'consumer page with scope usage')
  await assertFits(page)
  await screenshotBothWidths(page, 'scope-usage-consumer')
  await screenshotSection(page, 'scope-usage-consumer-section')
  await page.context().close()
})

test('in a browser: the installed app\'s developer page shows the section too', async () => {
  const page = await signedIn(`/settings/developer/installed-apps/${installedKey}`, true)
  const section = page.getByRole('region', { name: 'Scope usage' })
  await section.waitFor()
  assert.match(await section.innerText(), /issue → read:issue, read:issue-comment/)
  await assertAccessible(page, 'installed app page with scope usage')
  await assertFits(page)
  await screenshotBothWidths(page, 'scope-usage-installed-app')
  await page.context().close()
})
