import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { after, before, beforeEach, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import { createWorkspace } from '../../src/platform/index.js'
import type { TestApp } from '../support/app.js'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths } from '../support/browser.js'
import { insertApp, insertUser, PASSWORD, startWebApp, type TestClient } from '../web/fixtures.js'

// The consent page's choice of workspaces in Chromium, under the page's own CSP and without script.
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'

let t: TestApp
let browser: Browser
let client: TestClient
let callbackServer: Server
let callbackUri: string

before(async () => {
  t = await startWebApp({}, { listen: true })
  callbackServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Client</title><p>Back at the client.</p>')
  })
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve))
  callbackUri = `http://127.0.0.1:${(callbackServer.address() as { port: number }).port}/callback`
  const ada = await insertUser(t.app, 'ada')
  const publisher = await insertUser(t.app, 'vendor')
  for (const [slug, name] of [['acme', 'Acme Corporation'], ['beta', 'Beta Labs'], ['gamma-research-and-development', 'Gamma Research and Development']]) {
    await createWorkspace(t.app.db, t.app.clock, { slug, name, members: [{ userId: ada.id, role: 'owner' }] })
  }
  client = await insertApp(t.app, {
    name: 'Site Sync', isPublic: true, redirectUris: [callbackUri], scopes: ['account', 'workspace', 'repository'],
    ownerId: publisher.id, homepageUrl: 'https://sitesync.example/', description: 'Keeps your repositories in step with your sites.',
  })
  browser = await launchBrowser()
})

beforeEach(async () => {
  await t.app.db.deleteFrom('consent_decisions').execute()
})

after(async () => {
  await browser?.close()
  callbackServer?.close()
  await t?.close()
})

function authorizeUrl(extra: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    client_id: client.clientId, redirect_uri: callbackUri, response_type: 'code', scope: 'account workspace repository', state: 'st',
    code_challenge: CHALLENGE, code_challenge_method: 'S256', ...extra,
  })
  return `${t.config.issuer}/oauth/authorize?${query}`
}

async function signInToConsent(page: Page, extra: Record<string, string> = {}): Promise<void> {
  await page.goto(authorizeUrl(extra))
  await page.getByLabel('Username').fill('ada')
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Allow Site Sync to access your account?' }).waitFor()
}

async function latestGrantWorkspaces(): Promise<string | null> {
  const grant = await t.app.db.selectFrom('grants').select('workspace_slugs').where('app_id', '=', client.id).orderBy('created_at', 'desc').executeTakeFirstOrThrow()
  return grant.workspace_slugs
}

test('in a browser: the named workspace is pre-selected; "All" hides the boxes, "Only these" shows them; the choice reaches the grant', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  try {
    await signInToConsent(page, { workspace: 'beta' })
    const group = page.getByRole('group', { name: 'Which workspaces may Site Sync reach?' })
    await group.waitFor()
    assert.equal(await group.getByRole('radio', { name: 'Only these:' }).isChecked(), true)
    assert.equal(await group.getByRole('checkbox', { name: 'Beta Labs beta' }).isChecked(), true)
    assert.equal(await group.getByRole('checkbox', { name: 'Acme Corporation acme' }).isChecked(), false)
    await screenshotBothWidths(page, 'consent-workspaces-some')
    await assertAccessible(page, 'the consent page with a choice of workspaces')

    await group.getByRole('radio', { name: 'All my workspaces (also ones I join later)' }).check()
    assert.equal(await group.getByRole('checkbox', { name: 'Beta Labs beta' }).isVisible(), false, 'the boxes do not count under "All", so they are out of sight')
    await screenshotBothWidths(page, 'consent-workspaces-all')
    await assertAccessible(page, 'the consent page with "All my workspaces"')

    await group.getByRole('radio', { name: 'Only these:' }).check()
    await group.getByRole('checkbox', { name: 'Gamma Research and Development gamma-research-and-development' }).check()
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL((url) => url.toString().startsWith(callbackUri))
    assert.ok(new URL(page.url()).searchParams.get('code'))
    assert.deepEqual(JSON.parse((await latestGrantWorkspaces())!), ['beta', 'gamma-research-and-development'])
  } finally {
    await context.close()
  }
})

test('in a browser: "Only these" with nothing ticked shows the page again with the reason beside the choice', async () => {
  const context = await newContext(browser)
  const page = await context.newPage()
  try {
    await signInToConsent(page)
    const group = page.getByRole('group', { name: 'Which workspaces may Site Sync reach?' })
    assert.equal(await group.getByRole('radio', { name: 'All my workspaces (also ones I join later)' }).isChecked(), true)
    await screenshotBothWidths(page, 'consent-workspaces-default')
    await group.getByRole('radio', { name: 'Only these:' }).check()
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.getByRole('alert').waitFor()
    assert.equal(await page.getByRole('alert').innerText(), 'Tick at least one workspace, or choose "All my workspaces".')
    assert.equal(new URL(page.url()).pathname, '/oauth/authorize/decision')
    await screenshotBothWidths(page, 'consent-workspaces-error')
    await assertAccessible(page, 'the consent page with an error in the choice of workspaces')

    await page.getByRole('group', { name: /Which workspaces/ }).getByRole('checkbox', { name: 'Acme Corporation acme' }).check()
    await page.getByRole('button', { name: 'Allow' }).click()
    await page.waitForURL((url) => url.toString().startsWith(callbackUri))
    assert.deepEqual(JSON.parse((await latestGrantWorkspaces())!), ['acme'])
  } finally {
    await context.close()
  }
})
