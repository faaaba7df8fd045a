import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { newId } from '../../src/domain/ids.js'
import type { TestApp } from '../support/app.js'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths } from '../support/browser.js'
import { cookiesFrom, csrfFor, form, insertUser, PASSWORD, startWebApp } from './fixtures.js'

// The Account pages in Chromium: each one visited, checked with axe-core and screenshotted at both
// widths, and the password change and the ending of a session done through the real forms.
let t: TestApp
let browser: Browser

const NEW_PASSWORD = 'a brand new passphrase'
const ELSEWHERE = [
  ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0', '192.0.2.10'],
  ['Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1', '2001:db8::1f'],
] as const

before(async () => {
  t = await startWebApp({}, { listen: true })
  const ada = await insertUser(t.app)
  await t.app.db.updateTable('users').set({ is_admin: 1, display_name: 'Ada Lovelace' }).where('id', '=', ada.id).execute()
  for (const [slug, name, role] of [['analytical-engine', 'Analytical Engine', 'owner'], ['royal-society', 'Royal Society', 'member']] as const) {
    const id = newId()
    await t.app.db.insertInto('workspaces').values({ id, slug, name, created_at: t.app.clock.now() }).execute()
    await t.app.db.insertInto('workspace_members').values({ workspace_id: id, user_id: ada.id, role, created_at: t.app.clock.now() }).execute()
  }
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await t?.close()
})

/** Ada signs in elsewhere: another device, another address. */
async function signInElsewhere(userAgent: string, address: string): Promise<void> {
  const { jar, token } = await csrfFor(t.app)
  const response = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, remoteAddress: address, ...form({ username: 'ada', password: PASSWORD, csrf_token: token }, { 'user-agent': userAgent }) })
  assert.equal(response.statusCode, 303)
  cookiesFrom(response, jar)
}

async function signInThroughForm(page: Page, password: string): Promise<void> {
  await page.goto(`${t.config.issuer}/login?return_to=${encodeURIComponent('/settings')}`)
  await page.getByLabel('Username').fill('ada')
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

test('Profile, Password and Sessions in Chromium: accessible at both widths, and their forms work', async () => {
  for (const [userAgent, address] of ELSEWHERE) await signInElsewhere(userAgent, address)
  const context = await newContext(browser)
  const page = await context.newPage()
  try {
    await signInThroughForm(page, PASSWORD)
    await page.waitForURL(/\/settings\/profile$/)

    // Profile
    await page.getByRole('heading', { level: 1, name: 'Profile' }).waitFor()
    await assertAccessible(page, 'profile')
    await screenshotBothWidths(page, 'account-profile')
    await page.getByLabel('Display name').fill('Augusta Ada King')
    await page.getByRole('button', { name: 'Save profile' }).click()
    await page.getByText('Your profile is saved.').waitFor()
    assert.equal(await page.getByLabel('Display name').inputValue(), 'Augusta Ada King')
    await page.getByLabel('Display name').fill('   ')
    await page.getByRole('button', { name: 'Save profile' }).click()
    await page.getByText('Enter a display name').waitFor()
    await assertAccessible(page, 'profile with an error')
    await screenshotBothWidths(page, 'account-profile-error')

    // Sessions: this browser first, then the two others; end the Firefox one.
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Sessions' }).click()
    await page.getByRole('heading', { level: 1, name: 'Sessions' }).waitFor()
    const sessions = page.getByRole('list', { name: 'Signed-in browsers' }).getByRole('listitem')
    assert.equal(await sessions.count(), 3)
    assert.match(await sessions.nth(0).innerText(), /Chrome on Linux\s+This browser/)
    assert.match(await page.locator('.session-list').innerText(), /Firefox on Windows[\s\S]*192\.0\.2\.10/)
    assert.match(await page.locator('.session-list').innerText(), /Safari on iOS[\s\S]*2001:db8::1f/)
    await assertAccessible(page, 'sessions')
    await screenshotBothWidths(page, 'account-sessions')
    await sessions.filter({ hasText: 'Firefox on Windows' }).getByRole('button', { name: 'End session' }).click()
    await page.getByText('One session was ended: that browser is signed out.').waitFor()
    assert.equal(await sessions.count(), 2)
    assert.doesNotMatch(await page.locator('.session-list').innerText(), /Firefox/)

    // Password: a wrong current password first, then the right one.
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Password' }).click()
    await page.getByRole('heading', { level: 1, name: 'Password' }).waitFor()
    await assertAccessible(page, 'password')
    await screenshotBothWidths(page, 'account-password')
    await page.getByLabel('Current password').fill('not my password')
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD)
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD)
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByText('That is not your current password').waitFor()
    await assertAccessible(page, 'password with an error')
    await screenshotBothWidths(page, 'account-password-error')
    await page.getByLabel('Current password').fill(PASSWORD)
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD)
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD)
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByText('Your password is changed, and 1 other session was signed out.').waitFor()

    // Still signed in here, and alone.
    await page.getByRole('navigation', { name: 'Settings' }).getByRole('link', { name: 'Sessions' }).click()
    assert.equal(await sessions.count(), 1)
    await page.getByText('You are not signed in anywhere else.').waitFor()
    await screenshotBothWidths(page, 'account-sessions-alone')
  } finally {
    await context.close()
  }

  // A fresh browser: the old password is refused, the new one signs in.
  const fresh = await newContext(browser)
  const second = await fresh.newPage()
  try {
    await signInThroughForm(second, PASSWORD)
    await second.getByText('Incorrect username or password').waitFor()
    await signInThroughForm(second, NEW_PASSWORD)
    await second.waitForURL(/\/settings\/profile$/)
  } finally {
    await fresh.close()
  }
})
