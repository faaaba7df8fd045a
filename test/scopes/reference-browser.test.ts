import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Browser, Page } from 'playwright-core'
import type { TestApp } from '../support/app.js'
import { startTestApp } from '../support/app.js'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths, WIDTHS } from '../support/browser.js'

// /docs/scopes in Chromium: readable at a laptop's and a phone's width, accessible, and usable without JavaScript.
let t: TestApp
let browser: Browser

before(async () => {
  t = await startTestApp({}, { listen: true })
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  await t?.close()
})

/** Nothing wider than the window: the page, and each table within its frame (no sideways scrolling to read a row). */
async function overflow(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const wide = []
    const root = document.documentElement
    if (root.scrollWidth > root.clientWidth) wide.push('page: ' + root.scrollWidth + ' > ' + root.clientWidth)
    for (const frame of document.querySelectorAll('.table-wrap')) {
      if (frame.scrollWidth > frame.clientWidth) wide.push((frame.closest('section').querySelector('h3') || {}).textContent + ': ' + frame.scrollWidth + ' > ' + frame.clientWidth)
    }
    return wide
  })()`)
}

test('axe finds nothing serious at 1280 and 390 px, nothing overflows, and the screenshots are taken', async () => {
  const context = await newContext(browser)
  try {
    const page = await context.newPage()
    await page.goto(`${t.config.issuer}/docs/scopes`)
    await page.getByRole('heading', { name: 'Scope reference', level: 1 }).waitFor()
    await assertAccessible(page, 'scope reference')
    for (const [label, size] of Object.entries(WIDTHS)) {
      await page.setViewportSize(size)
      assert.deepEqual(await overflow(page), [], `${label}: nothing wider than ${size.width}px`)
    }
    await screenshotBothWidths(page, 'scope-reference')
  } finally {
    await context.close()
  }
})

test('without JavaScript: a link to a scope lands on it, and its operations link back to their rows', async () => {
  const context = await browser.newContext({ viewport: WIDTHS.phone, javaScriptEnabled: false })
  context.setDefaultTimeout(10_000)
  try {
    const page = await context.newPage()
    await page.goto(`${t.config.issuer}/docs/scopes#scope-read:issue-comment`)
    const scope = page.locator('[id="scope-read:issue-comment"]')
    await scope.getByRole('heading', { name: 'read:issue-comment', level: 3 }).waitFor()
    assert.ok(await inView(page, 'scope-read:issue-comment'), 'the anchor scrolls the scope into view')

    await scope.getByRole('link', { name: 'GET /2.0/repositories/{workspace}/{repo_slug}/issues/{issue_id}/comments' }).click()
    await page.waitForURL(/#operation-listIssueComments$/)
    assert.ok(await inView(page, 'operation-listIssueComments'))
    const row = page.locator('[id="operation-listIssueComments"]')
    assert.match(await row.innerText(), /read:issue and read:issue-comment\s+or issue\s+classic, deprecated on 2027-06-07/)

    await row.getByRole('link', { name: 'issue', exact: true }).click()
    await page.waitForURL(/#scope-issue$/)
    assert.match(await page.locator('[id="scope-issue"]').innerText(), /Replaced by read:issue and read:issue-comment\./)
  } finally {
    await context.close()
  }
})

/** Whether the element's top is within the window (the page scrolled to it). */
async function inView(page: Page, id: string): Promise<boolean> {
  const box = await page.locator(`[id="${id}"]`).boundingBox()
  const height = page.viewportSize()!.height
  return box !== null && box.y >= -1 && box.y < height
}
