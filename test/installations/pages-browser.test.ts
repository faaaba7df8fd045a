import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { DEMO_VENDOR_KEY, demoVendorApp, demoVendorBaseUrl } from '../../src/demo-vendor/index.js'
import { createWorkspace } from '../../src/platform/index.js'
import { createUser } from '../../src/users/users.service.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths } from '../support/browser.js'
import { insertUser, PASSWORD } from '../web/fixtures.js'

// The installed-apps console in Chromium: a vendor registers the demo app's descriptor (a mistake
// first), a workspace owner installs it from the workspace's apps page and opens its page module
// inside the platform, and an administrator looks at the enforcements. Axe at both widths on every page.
let t: TestApp
let browser: Browser
let dataDir: string
let vendorBaseUrl: string

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-pages-vendor-'))
  // startTestApp, not startWebApp: that one's beforeReady would replace this one.
  t = await startTestApp({}, {
    listen: true,
    beforeReady: async (app) => {
      await app.register(demoVendorApp, { platformUrl: app.config.issuer, dataDir })
    },
  })
  vendorBaseUrl = demoVendorBaseUrl(t.config.issuer)
  const acme = await insertUser(t.app, 'acme')
  const alice = await insertUser(t.app, 'alice')
  const bob = await insertUser(t.app, 'bob')
  await createUser(t.app.db, t.app.clock, { username: 'root', password: PASSWORD, isAdmin: true })
  void acme
  await createWorkspace(t.app.db, t.app.clock, { slug: 'reports-team', name: 'Reports team', members: [{ userId: alice.id, role: 'owner' }, { userId: bob.id, role: 'member' }] })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await t?.close()
  if (dataDir) rmSync(dataDir, { recursive: true, force: true })
})

async function signedIn(username: string, returnTo: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await newContext(browser)
  const page = await context.newPage()
  // Uninstalling, disabling and rotating ask first (form[data-confirm]); the person says yes.
  page.on('dialog', (dialog) => void dialog.accept())
  await page.goto(`${t.config.issuer}/login?return_to=${encodeURIComponent(returnTo)}`)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  return { context, page }
}

test('in a browser: a vendor registers the demo app, an owner installs it from the workspace page and opens its page inside the platform', async () => {
  const vendor = await signedIn('acme', '/settings/developer/installed-apps')
  try {
    const { page } = vendor
    await page.getByRole('heading', { name: 'Installed apps', level: 1 }).waitFor()
    await assertAccessible(page, 'installed apps, empty')
    await screenshotBothWidths(page, 'installed-apps-empty')

    // A mistake first: every problem is listed by field, and the pasted JSON comes back.
    await page.getByLabel('Or paste the descriptor JSON').fill(JSON.stringify({ key: 'Demo Reports', name: 'Demo reports', baseUrl: 'ftp://nowhere', authentication: { type: 'jwt' }, lifecycle: { installed: 'installed' }, modules: { pages: [] } }, null, 2))
    await page.getByRole('button', { name: 'Register descriptor' }).last().click()
    await page.getByText(/The descriptor was not registered: \d+ fields need fixing/).waitFor()
    assert.match(await page.locator('.descriptor-problems').innerText(), /baseUrl: expected/)
    await assertAccessible(page, 'register descriptor with problems')
    await screenshotBothWidths(page, 'installed-apps-problems')

    await page.getByLabel('Or paste the descriptor JSON').fill('')
    await page.getByLabel('Descriptor URL').fill(`${vendorBaseUrl}/descriptor.json`)
    await page.getByRole('button', { name: 'Register descriptor' }).last().click()
    await page.getByText('The app is registered').waitFor()
    await page.getByRole('button', { name: 'Update from URL' }).waitFor()
    await assertAccessible(page, 'installed app page')
    await screenshotBothWidths(page, 'installed-app')
  } finally {
    await vendor.context.close()
  }

  const owner = await signedIn('alice', '/settings/workspaces')
  try {
    const { page } = owner
    await page.getByRole('heading', { name: 'Your workspaces', level: 1 }).waitFor()
    await assertAccessible(page, 'your workspaces')
    await screenshotBothWidths(page, 'workspaces')

    await page.getByRole('link', { name: 'Apps of Reports team' }).click()
    await page.getByRole('heading', { name: 'Apps in Reports team', level: 1 }).waitFor()
    await assertAccessible(page, 'workspace apps with the install form')
    await screenshotBothWidths(page, 'workspace-apps-install')

    await page.getByRole('radio', { name: /Demo reports/ }).check()
    await page.getByRole('button', { name: 'Install app' }).click()
    await page.getByText('Demo reports is installed.').waitFor()
    await page.getByText('Installed', { exact: true }).first().waitFor()
    await assertAccessible(page, 'workspace apps with the app installed')
    await screenshotBothWidths(page, 'workspace-apps-installed')
    await page.getByText('Actions for Demo reports').click()
    await screenshotBothWidths(page, 'workspace-apps-menu')

    // The app's page, inside the platform: the demo vendor verifies the context JWT and shows this installation.
    await page.getByRole('link', { name: /Demo reports.*\(Demo reports\)/ }).click()
    await page.getByRole('heading', { name: 'Demo reports', level: 1 }).waitFor()
    const frame = page.frameLocator('iframe[title="Demo reports: Demo reports"]')
    await frame.getByRole('heading', { name: 'This installation' }).waitFor()
    assert.match(await frame.locator('body').innerText(), /Reports team/)
    await assertAccessible(page, 'page module')
    await screenshotBothWidths(page, 'page-module')

    await page.getByRole('link', { name: 'All apps of this workspace' }).click()
    await page.getByText('Actions for Demo reports').click()
    await page.getByRole('button', { name: 'Disable' }).click()
    await page.getByText('Demo reports is disabled').waitFor()
    await assertAccessible(page, 'workspace apps with the app disabled')
  } finally {
    await owner.context.close()
  }

  // Back to the vendor: the installation, its identifiers and the callbacks it was sent.
  const vendorAgain = await signedIn('acme', `/settings/developer/installed-apps/${DEMO_VENDOR_KEY}`)
  try {
    const { page } = vendorAgain
    await page.getByRole('heading', { name: 'Installations 1', level: 2 }).waitFor()
    await page.getByRole('cell', { name: 'Delivered' }).first().waitFor()
    await assertAccessible(page, 'installed app page with an installation')
    await screenshotBothWidths(page, 'installed-app-installations')
  } finally {
    await vendorAgain.context.close()
  }

  const member = await signedIn('bob', '/settings/workspaces/reports-team/apps')
  try {
    const { page } = member
    await page.getByRole('heading', { name: 'Apps in Reports team', level: 1 }).waitFor()
    await page.getByText('Only owners of this workspace install, disable and uninstall apps.').waitFor()
    assert.equal(await page.getByRole('button', { name: 'Install app' }).count(), 0)
    await assertAccessible(page, 'workspace apps for a member')
    await screenshotBothWidths(page, 'workspace-apps-member')
  } finally {
    await member.context.close()
  }

  const admin = await signedIn('root', '/settings/admin/enforcements')
  try {
    const { page } = admin
    await page.getByRole('heading', { name: 'Enforcements', level: 1 }).waitFor()
    await page.getByRole('radio', { name: /Report only/ }).check()
    await page.getByLabel('Percentage of apps').fill('5')
    await page.getByLabel('Cohort').fill(`app:${DEMO_VENDOR_KEY}\nworkspace:reports-team`)
    await page.getByRole('button', { name: /^Save/ }).click()
    await page.getByText(/stale-oauth-client-id is saved: report-only/).waitFor()
    await assertAccessible(page, 'enforcements')
    await screenshotBothWidths(page, 'enforcements')

    await page.goto(`${t.config.issuer}/settings/admin/workspaces/reports-team`)
    await page.getByRole('link', { name: 'Installed apps of this workspace' }).click()
    await page.getByRole('heading', { name: 'Apps in Reports team', level: 1 }).waitFor()
    await page.locator('form[action$="/enable"]').waitFor({ state: 'attached' })
  } finally {
    await admin.context.close()
  }
})
