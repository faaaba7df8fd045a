import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { createWorkspace } from '../../src/platform/index.js'
import { createUser } from '../../src/users/users.service.js'
import type { TestApp } from '../support/app.js'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths } from '../support/browser.js'
import { insertApp, PASSWORD, startWebApp } from '../web/fixtures.js'

// The admin console in Chromium: every page passes axe-core at both widths and is screenshotted to be
// looked at; a disable and a verify go through the real menus, confirmation included.
let t: TestApp
let browser: Browser

const PEOPLE: [string, string][] = [
  ['ada', 'Ada Lovelace'], ['alan', 'Alan Turing'], ['barbara', 'Barbara Liskov'], ['edsger', 'Edsger Dijkstra'],
  ['grace', 'Grace Hopper'], ['ken', 'Ken Thompson'], ['margaret', 'Margaret Hamilton'],
]

before(async () => {
  t = await startWebApp({}, { listen: true })
  const { db, clock } = t.app
  await createUser(db, clock, { username: 'root', password: PASSWORD, isAdmin: true, displayName: 'Site Administrator' })
  const ids: Record<string, string> = {}
  for (const [username, displayName] of PEOPLE) ids[username] = (await createUser(db, clock, { username, password: PASSWORD, displayName })).id
  await db.updateTable('users').set({ disabled_at: clock.now() }).where('username', '=', 'ken').execute()
  await db.updateTable('users').set({ is_admin: 1 }).where('username', '=', 'margaret').execute()
  const team = await createWorkspace(db, clock, {
    slug: 'engine-room', name: 'Engine Room',
    members: [{ userId: ids.ada, role: 'owner' }, { userId: ids.grace, role: 'member' }, { userId: ids.alan, role: 'member' }, { userId: ids.ken, role: 'member' }],
  })
  await createWorkspace(db, clock, { slug: 'research', name: 'Research', members: [{ userId: ids.barbara, role: 'owner' }] })
  await insertApp(t.app, { name: 'Issue Tracker Sync', ownerId: ids.ada, workspaceId: team.id, verifiedAt: clock.now() })
  await insertApp(t.app, { name: 'Release Notes Bot', ownerId: ids.grace, workspaceId: team.id })
  await insertApp(t.app, { name: 'Mobile Companion', isPublic: true, redirectUris: ['http://127.0.0.1/callback'] })
  await insertApp(t.app, { name: 'Legacy Importer', ownerId: ids.ken, disabledAt: clock.now() })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await t?.close()
})

async function signInAs(page: Page, username: string, returnTo: string): Promise<void> {
  await page.goto(`${t.config.issuer}/login?return_to=${encodeURIComponent(returnTo)}`)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((url) => url.pathname.startsWith(returnTo.split('?')[0]))
}

test('users: the list, a disable through the row menu, creating a user and the password shown once', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  page.on('dialog', (dialog) => void dialog.accept())
  try {
    await signInAs(page, 'root', '/settings/admin/users')
    await assertAccessible(page, 'admin users')
    await screenshotBothWidths(page, 'admin-users')

    const row = page.getByRole('row', { name: /^grace/ })
    await row.getByText('Actions').click()
    await assertAccessible(page, 'admin users, a row menu open')
    await screenshotBothWidths(page, 'admin-users-menu')
    await row.getByRole('button', { name: 'Disable' }).click()
    await page.getByRole('status').filter({ hasText: 'grace is disabled' }).waitFor()
    assert.equal(await page.getByRole('row', { name: /^grace/ }).getByText('Disabled').count(), 1)

    await page.getByLabel('Search users').fill('LOVE')
    await page.getByRole('button', { name: 'Search' }).click()
    await page.waitForURL(/q=LOVE/)
    assert.deepEqual(await page.locator('tbody th[scope=row]').allInnerTexts(), ['ada\nAda Lovelace'])
    await screenshotBothWidths(page, 'admin-users-search')

    await page.getByRole('link', { name: 'Create user' }).click()
    await assertAccessible(page, 'create user')
    await screenshotBothWidths(page, 'admin-create-user')
    await page.getByLabel('Username').fill('Not Valid')
    await page.getByRole('button', { name: 'Create user' }).click()
    await page.locator('#username-error').waitFor()
    await assertAccessible(page, 'create user, with errors')
    await screenshotBothWidths(page, 'admin-create-user-errors')

    assert.equal(await page.locator('#password').isVisible(), false, 'no password field while one is to be generated')
    await page.getByLabel('Set a password').check()
    assert.equal(await page.locator('#password').isVisible(), true)
    await page.getByLabel('Generate a password').check()

    await page.getByLabel('Username').fill('linus')
    await page.getByLabel('Display name').fill('Linus Torvalds')
    await page.getByRole('button', { name: 'Create user' }).click()
    await page.getByRole('heading', { name: 'User created' }).waitFor()
    assert.match(await page.locator('#new-password').inputValue(), /^[A-Za-z0-9_-]{24}$/)
    assert.equal(await page.getByRole('button', { name: 'Copy' }).isVisible(), true, 'the script shows the copy button')
    await assertAccessible(page, 'password shown once')
    await screenshotBothWidths(page, 'admin-password-once')
  } finally {
    await context.close()
  }
})

test('apps: the list and a verify through the row menu', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  try {
    await signInAs(page, 'root', '/settings/admin/apps')
    await assertAccessible(page, 'admin apps')
    await screenshotBothWidths(page, 'admin-apps')

    const row = page.getByRole('row', { name: /^Release Notes Bot/ })
    await row.getByText('Actions').click()
    await row.getByRole('button', { name: 'Verify' }).click()
    await page.getByRole('status').filter({ hasText: 'Release Notes Bot is verified' }).waitFor()
    assert.equal(await page.getByRole('row', { name: /^Release Notes Bot/ }).getByText('Verified', { exact: true }).count(), 1)
    await screenshotBothWidths(page, 'admin-apps-verified')
  } finally {
    await context.close()
  }
})

test('workspaces: the list and a workspace with its members', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  try {
    await signInAs(page, 'root', '/settings/admin/workspaces')
    await assertAccessible(page, 'admin workspaces')
    await screenshotBothWidths(page, 'admin-workspaces')
    await page.getByRole('link', { name: 'engine-room' }).click()
    await page.getByRole('heading', { name: 'Engine Room' }).waitFor()
    await assertAccessible(page, 'admin workspace')
    await screenshotBothWidths(page, 'admin-workspace')
  } finally {
    await context.close()
  }
})

test('a user who is not an administrator sees the 403 page', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  try {
    await signInAs(page, 'alan', '/settings')
    const response = await page.goto(`${t.config.issuer}/settings/admin/users`)
    assert.equal(response?.status(), 403)
    await page.getByText('This page needs an administrator, and alan is not one.').waitFor()
    await assertAccessible(page, 'admin 403')
    await screenshotBothWidths(page, 'admin-forbidden')
  } finally {
    await context.close()
  }
})
