import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import type { Browser } from 'playwright-core'
import { DEMO_VENDOR_KEY, pageModuleSrc, REPORTS_PAGE } from '../../src/demo-vendor/index.js'
import { registerDescriptor } from '../../src/installations/descriptors.service.js'
import { install } from '../../src/installations/installations.service.js'
import { createWorkspace } from '../../src/platform/index.js'
import { createUser } from '../../src/users/users.service.js'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths } from '../support/browser.js'
import { startVendor, type VendorFixture } from './fixtures.js'

/**
 * The page module in Chromium, as the platform shows it: in an iframe of a page on the platform's
 * origin (a stand-in page here; the platform's own comes with the installations pages). Its forms
 * work without script, and a page on another origin cannot frame it.
 */

let v: VendorFixture
let browser: Browser
let elsewhere: Server
let frameSrc: () => Promise<string>

before(async () => {
  v = await startVendor()
  const { db, clock } = v.app
  const owner = await createUser(db, clock, { username: 'owner', password: 'owner-password-1' })
  await createWorkspace(db, clock, { slug: 'team', name: 'The team', members: [{ userId: owner.id, role: 'owner' }] })
  await registerDescriptor(v.app.installedApps.descriptors, { url: `${v.baseUrl}/descriptor.json` }, { ownerId: owner.id, isAdmin: false })
  const { installation } = await install(v.app.installedApps.installations, { appKey: DEMO_VENDOR_KEY, workspaceSlug: 'team', actor: { id: owner.id, isAdmin: false } })
  frameSrc = () => pageModuleSrc({ appKey: DEMO_VENDOR_KEY, appBaseUrl: v.baseUrl, moduleUrl: REPORTS_PAGE.url, clientKey: installation.clientKey, sharedSecret: v.installation(installation.clientKey)!.sharedSecret!, userId: owner.id, now: Date.now() })
  // Another origin (another port) that tries to frame the page.
  elsewhere = createServer((request, response) => {
    void frameSrc().then((src) => response.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><title>Elsewhere</title><iframe title="demo" src="${src}"></iframe>`))
  })
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve))
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await new Promise((resolve) => elsewhere?.close(resolve))
  await v?.close()
})

test('the page module in an iframe on the platform\'s origin: shown, and its buttons call the API without script', async () => {
  const context = await newContext(browser)
  try {
    const page = await context.newPage()
    // A blank page of the platform's origin hosts the frame, as the platform's workspace page will.
    await page.goto(`${v.issuer}/connect/jwks.json`)
    await page.setContent(`<!doctype html><html lang="en"><title>Workspace</title><main><iframe title="Demo reports" style="width:100%;height:2000px;border:0" src="${await frameSrc()}"></iframe></main></html>`)
    const frame = page.frameLocator('iframe')
    await frame.getByRole('heading', { name: 'Demo reports' }).waitFor()
    await frame.getByText('The team').waitFor()

    await frame.getByRole('button', { name: 'Call with an app JWT' }).click()
    await frame.getByRole('heading', { name: 'Result' }).waitFor()
    assert.match(await frame.locator('details[open] summary').innerText(), /Call with an app JWT: succeeded/)
    await frame.getByRole('button', { name: 'Call as you (impersonation)' }).click()
    await frame.getByText(/Call as you \(impersonation\): succeeded/).waitFor()

    const framed = page.frames().find((f) => f.url().startsWith(v.baseUrl))!
    assert.ok(framed, 'the page module is in the frame')
  } finally {
    await context.close()
  }
})

test('the page module alone: accessible at both widths (screenshots in test-results/)', async () => {
  const context = await newContext(browser)
  try {
    const page = await context.newPage()
    await page.goto(await frameSrc())
    await page.getByRole('button', { name: 'Call with the JWT grant' }).click()
    await page.getByRole('heading', { name: 'Result' }).waitFor()
    assert.match(await page.locator('details[open] summary').innerText(), /Call with the JWT grant: succeeded/)
    await assertAccessible(page, 'demo vendor page module')
    await screenshotBothWidths(page, 'demo-vendor-page')
  } finally {
    await context.close()
  }
})

test('a page on another origin cannot frame it (frame-ancestors)', async () => {
  const context = await newContext(browser)
  try {
    const page = await context.newPage()
    const blocked = new Promise<boolean>((resolve) => {
      page.on('console', (message) => {
        if (/frame-ancestors/.test(message.text())) resolve(true)
      })
      setTimeout(() => resolve(false), 5000)
    })
    await page.goto(`http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`)
    assert.equal(await blocked, true, 'Chromium reports the frame-ancestors refusal')
    const framed = page.frames().find((f) => f !== page.mainFrame())!
    assert.ok(!framed.url().startsWith(v.baseUrl), `the frame shows Chromium's refusal, not the page (${framed.url()})`)
    assert.doesNotMatch(await framed.content(), /Demo reports|Call with an app JWT/)
  } finally {
    await context.close()
  }
})
