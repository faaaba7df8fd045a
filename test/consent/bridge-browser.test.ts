import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Browser, BrowserContext, Frame, FrameLocator, Page } from 'playwright-core'
import { DEMO_VENDOR_KEY, demoVendorApp, demoVendorBaseUrl } from '../../src/demo-vendor/index.js'
import { registerDescriptor } from '../../src/installations/descriptors.service.js'
import { install } from '../../src/installations/installations.service.js'
import { createWorkspace } from '../../src/platform/index.js'
import { freePort, startTestApp, type TestApp } from '../support/app.js'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths } from '../support/browser.js'
import { insertUser, PASSWORD } from '../web/fixtures.js'

// The request bridge in Chromium: the demo vendor's page module inside the platform's page, calling
// AP.request and AP.proxyRequest; the consent dialog in the host page (Allow, Deny, no answer), the
// three error codes reaching the app, the "Manage permissions" link, and messages from anyone but
// the app's frame ignored. Two platforms: one with the vendor on an origin of its own (its own
// listener, as vendors are), one with the demo in Gatehouse's process (on the platform's origin, so
// its frame is sandboxed to an opaque origin) and a consent timeout of 2 s.

const DIALOG = 'Allow Demo reports to use Gatehouse as you?'
const WORKSPACE = { slug: 'reports-team', name: 'Reports team' }

interface Platform {
  t: TestApp
  vendorBaseUrl: string
  close(): Promise<void>
}

/** A listening Gatehouse with the demo vendor registered and installed in WORKSPACE, whose members are `members` (the first the owner). */
async function startPlatform(options: { vendorOrigin: 'own' | 'platform'; consentTimeoutSeconds?: number; members: string[] }): Promise<Platform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bridge-vendor-'))
  let vendor: FastifyInstance | undefined
  const t = await startTestApp({ consentTimeoutSeconds: options.consentTimeoutSeconds ?? 60 }, {
    listen: true,
    beforeReady: async (app) => {
      if (options.vendorOrigin === 'platform') await app.register(demoVendorApp, { platformUrl: app.config.issuer, dataDir })
    },
  })
  let vendorBaseUrl = demoVendorBaseUrl(t.config.issuer)
  if (options.vendorOrigin === 'own') {
    const port = await freePort()
    vendorBaseUrl = `http://127.0.0.1:${port}/demo-vendor`
    vendor = Fastify()
    await vendor.register(demoVendorApp, { platformUrl: t.config.issuer, baseUrl: vendorBaseUrl, dataDir })
    await vendor.listen({ host: '127.0.0.1', port })
  }
  const { db, clock } = t.app
  const ids = await Promise.all(options.members.map((name) => insertUser(t.app, name)))
  await createWorkspace(db, clock, { ...WORKSPACE, members: ids.map((user, i) => ({ userId: user.id, role: i === 0 ? 'owner' : 'member' })) })
  const publisher = await insertUser(t.app, 'publisher')
  await registerDescriptor(t.app.installedApps.descriptors, { url: `${vendorBaseUrl}/descriptor.json` }, { ownerId: publisher.id, isAdmin: false })
  await install(t.app.installedApps.installations, { appKey: DEMO_VENDOR_KEY, workspaceSlug: WORKSPACE.slug, actor: { id: ids[0].id, isAdmin: false } })
  return {
    t,
    vendorBaseUrl,
    close: async () => {
      await vendor?.close()
      await t.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

let browser: Browser

before(async () => {
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
})

interface HostPage {
  context: BrowserContext
  page: Page
  frame: FrameLocator
}

/** Signs `username` in and opens the demo's page module inside the platform. */
async function openHostPage(platform: Platform, username: string): Promise<HostPage> {
  const context = await newContext(browser)
  const page = await context.newPage()
  const path = `/workspaces/${WORKSPACE.slug}/apps/${DEMO_VENDOR_KEY}/reports`
  await page.goto(`${platform.t.config.issuer}/login?return_to=${encodeURIComponent(path)}`)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Demo reports', level: 1 }).waitFor()
  const frame = page.frameLocator('iframe[title="Demo reports: Demo reports"]')
  // connect/all.js and the page's script ran: the calls' buttons are shown.
  await frame.getByRole('button', { name: 'Who am I? (AP.request)' }).waitFor()
  return { context, page, frame }
}

function dialogOf(page: Page) {
  return page.getByRole('dialog', { name: DIALOG })
}

function appFrame(page: Page, platform: Platform): Frame {
  const found = page.frames().find((f) => f.url().startsWith(platform.vendorBaseUrl))
  assert.ok(found, 'the page module is in a frame')
  return found
}

describe('the vendor on its own origin', () => {
  let platform: Platform

  before(async () => {
    platform = await startPlatform({ vendorOrigin: 'own', members: ['alice', 'bob', 'carol'] })
  })

  after(async () => {
    await platform?.close()
  })

  test('AP.request asks in the host page (axe at both widths with the dialog open); Allow sends the result to the app; later requests, and proxyRequest, need no answer; Manage permissions leads to App authorizations', async () => {
    const { context, page, frame } = await openHostPage(platform, 'alice')
    try {
      await assertAccessible(page, 'page module with the bridge')
      await frame.getByRole('button', { name: 'Who am I? (AP.request)' }).click()
      const dialog = dialogOf(page)
      await dialog.waitFor()
      assert.equal(await page.evaluate(() => (document.getElementById('bridge-consent') as HTMLDialogElement).open), true)
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'bridge-consent-title', 'focus moves into the dialog, on its title')
      const text = await dialog.innerText()
      assert.match(text, /Demo reports by Gatehouse demo vendor/)
      assert.match(text, /Reports team \(reports-team\)/)
      assert.match(text, /\balice\b/)
      for (const scope of ['account', 'repository', 'workspace']) assert.match(text, new RegExp(`\\b${scope}\\b`))
      assert.match(text, /Gatehouse remembers your answer for Demo reports in every workspace where it is installed/)
      assert.equal(await dialog.getByRole('link', { name: 'App authorizations' }).getAttribute('href'), '/account/app-authorizations')
      await assertAccessible(page, 'the consent dialog')
      await screenshotBothWidths(page, 'bridge-consent-dialog')

      await dialog.getByRole('button', { name: 'Allow' }).click()
      await frame.getByText(/The API says you are alice \(alice\)/).waitFor()
      await dialog.waitFor({ state: 'hidden' })
      const status = page.locator('#bridge-status')
      await status.getByText('You allowed Demo reports to use Gatehouse as you.').waitFor()
      assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'IFRAME', 'focus goes back to the app')
      await assertAccessible(page, 'after Allow')
      await screenshotBothWidths(page, 'bridge-allowed')

      // Asked once: the next request and the app's server get their answers without a dialog.
      await frame.getByRole('button', { name: "Ask this app's server (AP.proxyRequest)" }).click()
      await frame.getByText(/This app's server called the API with the token it was sent, and learnt you are alice \(alice\)/).waitFor()
      await frame.getByRole('button', { name: 'Who am I? (AP.request)' }).click()
      await frame.getByText(/The API says you are alice/).waitFor()
      assert.equal(await dialog.isVisible(), false)

      // The link the reference platform once shipped broken: it resolves.
      const manage = status.getByRole('link', { name: 'Manage permissions' })
      assert.equal(await manage.getAttribute('href'), '/account/app-authorizations')
      const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/account/app-authorizations')), manage.click()])
      assert.equal(response.status(), 200)
      await page.getByRole('heading', { name: 'App authorizations', level: 1 }).waitFor()
      assert.match(await page.locator('main').innerText(), /Demo reports/)
    } finally {
      await context.close()
    }
  })

  test('Deny answers USER_DENIED_ACCESS, and the app says so with the link; every later request answers USER_ALREADY_DENIED_ACCESS without a dialog', async () => {
    const { context, page, frame } = await openHostPage(platform, 'bob')
    try {
      await frame.getByRole('button', { name: 'Who am I? (AP.request)' }).click()
      await dialogOf(page).getByRole('button', { name: 'Deny' }).click()
      const problem = frame.getByRole('alert')
      await problem.getByText('Error code: USER_DENIED_ACCESS').waitFor()
      assert.match(await problem.innerText(), /Demo reports cannot act as you/)
      const link = problem.getByRole('link', { name: 'Manage permissions in Gatehouse (opens in a new tab)' })
      assert.equal(await link.getAttribute('href'), `${platform.t.config.issuer}/account/app-authorizations`)
      assert.equal(await link.getAttribute('target'), '_blank')
      const status = page.locator('#bridge-status')
      await status.getByText('You denied Demo reports access. It cannot use Gatehouse as you until you change that.').waitFor()
      assert.equal(await status.getByRole('link', { name: 'Manage permissions' }).getAttribute('href'), '/account/app-authorizations')
      await assertAccessible(page, 'after Deny')
      await screenshotBothWidths(page, 'bridge-denied')

      let asked = false
      page.on('request', (request) => {
        if (request.url().endsWith('/connect/bridge/decision')) asked = true
      })
      for (const button of ['Who am I? (AP.request)', "Ask this app's server (AP.proxyRequest)"]) {
        await frame.getByRole('button', { name: button }).click()
        await frame.getByText('Error code: USER_ALREADY_DENIED_ACCESS').waitFor()
        assert.equal(await dialogOf(page).isVisible(), false, 'no dialog while the denial stands')
        await frame.getByRole('button', { name: 'Who am I? (AP.request)' }).evaluate(() => {
          document.getElementById('bridge-result')!.textContent = ''
        })
      }
      assert.equal(asked, false)
      // The link in the app opens the platform's page in a new tab, where it resolves.
      await frame.getByRole('button', { name: 'Who am I? (AP.request)' }).click()
      const [popup] = await Promise.all([context.waitForEvent('page'), frame.getByRole('link', { name: /Manage permissions in Gatehouse/ }).click()])
      await popup.waitForLoadState()
      await popup.getByRole('heading', { name: 'App authorizations', level: 1 }).waitFor()
    } finally {
      await context.close()
    }
  })

  test('a request message from anyone but the app\'s frame is ignored: another frame of the host page (an opaque origin), and the host page itself; Escape closes the dialog without an answer; AP.messages shows the app\'s text', async () => {
    const { context, page } = await openHostPage(platform, 'carol')
    try {
      let tokenRequests = 0
      page.on('request', (request) => {
        if (request.url().includes('/connect/bridge/')) tokenRequests++
      })
      const request = { protocol: 'gatehouse-bridge', version: 1, id: 'intruder-1', call: 'request', body: { url: '/2.0/user', type: 'GET' } }
      await page.evaluate(() => {
        const intruder = document.createElement('iframe')
        intruder.name = 'intruder'
        intruder.title = 'intruder'
        intruder.setAttribute('sandbox', 'allow-scripts')
        intruder.srcdoc = '<!doctype html><title>intruder</title><p>intruder</p>'
        document.body.append(intruder)
      })
      await page.waitForFunction(() => (document.querySelector('iframe[name="intruder"]') as HTMLIFrameElement | null)?.contentDocument !== undefined)
      const intruder = await waitForFrame(page, 'intruder')
      await intruder.evaluate((message) => {
        const w = window as unknown as { replies: unknown[] }
        w.replies = []
        window.addEventListener('message', (event) => w.replies.push(event.data))
        window.parent.postMessage(message, '*')
      }, request)
      await page.evaluate((message) => window.postMessage({ ...message, id: 'self-1' }, '*'), request)
      // The app's own frame, posting to a window that is not its parent's origin, is not heard either: only exact matches are.
      await new Promise((resolve) => setTimeout(resolve, 1000))
      assert.equal(await dialogOf(page).isVisible(), false)
      assert.equal(tokenRequests, 0, 'nothing was asked of Gatehouse')
      assert.deepEqual(await intruder.evaluate(() => (window as unknown as { replies: unknown[] }).replies), [], 'no answer went to the intruder')

      // The same message from the app's frame is answered (here: with the question).
      await appFrame(page, platform).evaluate((message) => window.parent.postMessage(message, '*'), { ...request, id: 'app-1' })
      await dialogOf(page).waitFor()
      assert.equal(tokenRequests, 1)
      // Escape closes the dialog without an answer: the request fails, and nothing is remembered.
      await page.keyboard.press('Escape')
      await dialogOf(page).waitFor({ state: 'hidden' })
      await page.locator('#bridge-status').getByText('Demo reports asked to use Gatehouse as you, and the request was closed without an answer. It will ask again next time.').waitFor()
      assert.equal(tokenRequests, 1, 'no decision was sent')

      // AP.messages: the app's words above its frame, as text, labelled as the app's; the app clears them.
      await appFrame(page, platform).evaluate(`AP.require('messages', function (messages) { window.shown = messages.error('Export <b>finished</b> with problems', 'Two repositories could not be read.') })`)
      const message = page.locator('.bridge-app-message')
      await message.waitFor()
      assert.equal(await message.locator('.bridge-app-message-from').textContent(), 'Message from Demo reports')
      assert.match(await message.innerText(), /Export <b>finished<\/b> with problems\s+Two repositories could not be read\./)
      assert.equal(await message.locator('b').count(), 0, 'text, never markup')
      await assertAccessible(page, 'a message of the app')
      await screenshotBothWidths(page, 'bridge-app-message')
      await appFrame(page, platform).evaluate('AP.messages.clear(window.shown)')
      await message.waitFor({ state: 'detached' })
    } finally {
      await context.close()
    }
  })
})

describe('the demo on the platform\'s own origin (an opaque frame), with a consent timeout of 2 s', () => {
  let platform: Platform

  before(async () => {
    platform = await startPlatform({ vendorOrigin: 'platform', consentTimeoutSeconds: 2, members: ['alice', 'dave', 'erin'] })
  })

  after(async () => {
    await platform?.close()
  })

  test('no answer within the time: the dialog closes and the app gets ACCESS_TOKEN_REQUEST_FAILED; nothing is remembered, so the next request asks again', async () => {
    const { context, page, frame } = await openHostPage(platform, 'dave')
    try {
      assert.equal(await frame.locator('html').evaluate(() => window.origin), 'null', 'the frame runs as an opaque origin')
      await frame.getByRole('button', { name: 'Who am I? (AP.request)' }).click()
      const dialog = dialogOf(page)
      await dialog.waitFor()
      assert.match(await dialog.innerText(), /Without an answer within 2 seconds, the request fails and nothing is remembered/)
      await frame.getByText('Error code: ACCESS_TOKEN_REQUEST_FAILED').waitFor()
      assert.equal(await dialog.isVisible(), false, 'the host closed the dialog')
      assert.match(await frame.getByRole('alert').innerText(), /the question was not answered in time/)
      await page.locator('#bridge-status').getByText('Demo reports asked to use Gatehouse as you, and the request expired without an answer. It will ask again next time.').waitFor()
      await screenshotBothWidths(page, 'bridge-timed-out')

      await frame.getByRole('button', { name: 'Who am I? (AP.request)' }).click()
      await dialog.waitFor()
      await dialog.getByRole('button', { name: 'Allow' }).click()
      await frame.getByText(/The API says you are dave \(dave\)/).waitFor()
    } finally {
      await context.close()
    }
  })

  test('from the opaque frame, AP.proxyRequest reaches the demo\'s server under its baseUrl only', async () => {
    const { context, page, frame } = await openHostPage(platform, 'erin')
    try {
      await frame.getByRole('button', { name: "Ask this app's server (AP.proxyRequest)" }).click()
      await dialogOf(page).getByRole('button', { name: 'Allow' }).click()
      await frame.getByText(/This app's server called the API with the token it was sent, and learnt you are erin \(erin\)/).waitFor()
      // Evaluated as text: what tsx adds to compiled functions does not exist in the page.
      const attempt = (call: string, options: string) => appFrame(page, platform).evaluate(`new Promise((resolve) => AP.${call}({ ...${options}, success: () => resolve('reached'), error: (e) => resolve(e) }))`)
      const outside = await attempt('proxyRequest', `{ url: '/../oauth/revoke', type: 'POST' }`)
      assert.deepEqual(outside, { code: 'INVALID_REQUEST', message: "AP.proxyRequest reaches the app's own baseUrl only", status: 0 })
      const notApi = await attempt('request', `{ url: '/2.0/../connect/bridge/token', type: 'POST' }`)
      assert.deepEqual(notApi, { code: 'INVALID_REQUEST', message: 'AP.request reaches the API only: its url must start with /2.0/', status: 0 })
    } finally {
      await context.close()
    }
  })
})

async function waitForFrame(page: Page, name: string): Promise<Frame> {
  for (let i = 0; i < 100; i++) {
    const frame = page.frame({ name })
    if (frame) return frame
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`no frame named ${name}`)
}
