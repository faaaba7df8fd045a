import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { s256Challenge } from '../../src/domain/pkce.js'
import { apiStatus } from '../admin/fixtures.js'
import { REDIRECT_URI, VERIFIER, type TestClient } from '../oauth/fixtures.js'
import type { TestApp } from '../support/app.js'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths } from '../support/browser.js'
import { PASSWORD, startWebApp } from '../web/fixtures.js'
import { allowOAuth, classicAddOn, decideInstallation, denyOAuth, oauthApp, person, tokensUnder, workspace } from './fixtures.js'

// The App authorizations page and an app's decisions page in Chromium: axe-core at both widths,
// screenshots to look at, and a revoke (with its confirmation) and a removed denial through the real
// forms, after which the app's token no longer works and its next authorization request asks again.
let t: TestApp
let browser: Browser
let tracker: TestClient
let nosy: TestClient
let trackerToken: string

before(async () => {
  t = await startWebApp({}, { listen: true })
  const vendor = await person(t.app, 'acme', 'Acme Tools')
  const ada = await person(t.app, 'ada', 'Ada Lovelace')
  const grace = await person(t.app, 'grace', 'Grace Hopper')
  const root = await person(t.app, 'root', 'Site Administrator')
  await t.app.db.updateTable('users').set({ is_admin: 1 }).where('id', '=', root.id).execute()
  const engine = await workspace(t.app, 'engine-room', 'Engine Room', [ada.id, grace.id])
  await workspace(t.app, 'research', 'Research', [ada.id])

  tracker = await oauthApp(t.app, 'Issue Tracker Sync', vendor.id)
  nosy = await oauthApp(t.app, 'Nosy Widgets', null)
  const board = await classicAddOn(t.app, 'sprint-board', vendor.id, engine)
  const decision = await allowOAuth(t.app, ada.id, tracker, ['account', 'repository', 'issue:write'], ['engine-room'])
  await allowOAuth(t.app, grace.id, tracker, ['account'])
  await denyOAuth(t.app, ada.id, nosy, ['account', 'issue:write'])
  await decideInstallation(t.app, ada.id, board, 'allow', ['repository', 'act_as_user'])
  trackerToken = (await tokensUnder(t.app, tracker, ada.id, 'account repository')).accessToken
  await t.app.db.updateTable('consent_decisions').set({ last_used_at: t.app.clock.now() - 3 * 86_400_000 }).where('id', '=', decision).execute()
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

function authorizationUrl(clientId: string, scope: string): string {
  const query = new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: REDIRECT_URI, scope, state: 'xyz', code_challenge: s256Challenge(VERIFIER), code_challenge_method: 'S256' })
  return `${t.config.issuer}/oauth/authorize?${query}`
}

// First, while the decisions are all there.
test("Admin: an app's decisions, from the apps list", async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  try {
    await signInAs(page, 'root', '/settings/admin/apps')
    await page.getByRole('link', { name: 'Nosy Widgets' }).click()
    await page.getByRole('heading', { level: 1, name: 'Decisions for Nosy Widgets' }).waitFor()
    assert.match(await page.locator('.decision-counts').innerText(), /Allowed\s+0\s+Denied\s+1/)
    await page.getByRole('link', { name: 'All apps' }).click()
    await page.getByRole('link', { name: 'Issue Tracker Sync' }).click()
    await page.getByRole('heading', { level: 1, name: 'Decisions for Issue Tracker Sync' }).waitFor()
    assert.match(await page.locator('.decision-counts').innerText(), /Allowed\s+2\s+Denied\s+0/)
    assert.equal(await page.getByRole('row', { name: /^grace/ }).count(), 1)
    assert.equal(await page.getByRole('row', { name: /^ada/ }).count(), 1)
    await assertAccessible(page, 'admin app decisions')
    await screenshotBothWidths(page, 'consent-admin-decisions')
  } finally {
    await context.close()
  }
})

test('App authorizations: every decision listed; Revoke (confirmed) ends the approval and its token, Remove denial lifts the denial, and the app asks again', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  const confirmations: string[] = []
  page.on('dialog', (dialog) => {
    confirmations.push(dialog.message())
    void dialog.accept()
  })
  try {
    await signInAs(page, 'ada', '/settings/profile')
    // From the header's link, as on every page.
    await page.getByRole('banner').getByRole('link', { name: 'App authorizations' }).click()
    await page.getByRole('heading', { level: 1, name: 'App authorizations' }).waitFor()
    const approvals = page.getByRole('region', { name: /^Allowed/ }).getByRole('listitem').filter({ has: page.getByRole('heading', { level: 3 }) })
    assert.equal(await approvals.count(), 2)
    assert.equal(await page.getByRole('region', { name: /^Denied/ }).getByRole('heading', { level: 3 }).count(), 1)
    const trackerCard = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Issue Tracker Sync' }) })
    assert.match(await trackerCard.innerText(), /by Acme Tools · OAuth app[\s\S]*Engine Room \(engine-room\)[\s\S]*3 days ago/)
    await assertAccessible(page, 'app authorizations')
    await screenshotBothWidths(page, 'consent-app-authorizations')

    // Revoke, confirmed.
    assert.equal(await apiStatus(t.app, trackerToken), 200)
    await trackerCard.getByRole('button', { name: 'Revoke' }).click()
    await page.getByRole('status').filter({ hasText: 'Issue Tracker Sync no longer has your approval' }).waitFor()
    assert.deepEqual(confirmations, ["Revoke Issue Tracker Sync's access? It stops working for you at once, and asks again the next time it needs access."])
    assert.equal(await page.getByRole('heading', { name: 'Issue Tracker Sync' }).count(), 0)
    assert.equal(await apiStatus(t.app, trackerToken), 401)
    await assertAccessible(page, 'app authorizations after a revoke')
    await screenshotBothWidths(page, 'consent-app-authorizations-revoked')

    // Remove the denial: no confirmation needed.
    await page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Nosy Widgets' }) }).getByRole('button', { name: 'Remove denial' }).click()
    await page.getByRole('status').filter({ hasText: 'Your denial of Nosy Widgets is removed' }).waitFor()
    assert.equal(confirmations.length, 1)
    assert.equal(await page.getByRole('region', { name: /^Denied/ }).count(), 0)

    // The revoked app asks again, and the consent page links back here.
    await page.goto(authorizationUrl(tracker.app.clientId, 'account'))
    await page.getByRole('heading', { level: 1, name: 'Allow Issue Tracker Sync to access your account?' }).waitFor()
    await screenshotBothWidths(page, 'consent-asked-again')

    // The last one: the empty page.
    await page.goto(`${t.config.issuer}/account/app-authorizations`)
    await page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'App sprint-board' }) }).getByRole('button', { name: 'Revoke' }).click()
    await page.getByText('You have not allowed or denied any app yet.').waitFor()
    await assertAccessible(page, 'app authorizations, empty')
    await screenshotBothWidths(page, 'consent-app-authorizations-empty')
  } finally {
    await context.close()
  }
})
