import assert from 'node:assert/strict'
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Debian's Chromium, headless; tests that drive the real pages use it. `extraArgs` are Chromium switches. */
export function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', ...extraArgs],
  })
}

/** The widths every page is looked at: a laptop and a phone. */
export const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const

/** A context whose failures come in seconds rather than Playwright's default half-minute. */
export async function newContext(browser: Browser, width: keyof typeof WIDTHS = 'desktop'): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: WIDTHS[width] })
  context.setDefaultTimeout(10_000)
  return context
}

/** Saves a full-page screenshot as test-results/<name>.png (gitignored) for a person to look at. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(process.cwd(), 'test-results')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/** Screenshots the page at desktop then phone width (test-results/<name>-desktop.png, -phone.png), leaving it at desktop width. */
export async function screenshotBothWidths(page: Page, name: string): Promise<void> {
  for (const [label, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size)
    await screenshot(page, `${name}-${label}`)
  }
  await page.setViewportSize(WIDTHS.desktop)
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: { target: string[] }[]
}

/**
 * Runs axe-core in the page and fails on any serious or critical violation (labels, contrast,
 * landmarks, names, focus order), listing each with the elements at fault. The script is evaluated
 * by the browser's debugging protocol, which the page's Content-Security-Policy does not govern,
 * so the pages keep their policy under test. Checked at both widths, since layouts change.
 */
export async function assertAccessible(page: Page, label: string): Promise<void> {
  for (const size of Object.values(WIDTHS)) {
    await page.setViewportSize(size)
    const violations = (await page.evaluate(`(async () => {
      if (!window.axe) { ${axeSource} }
      const result = await window.axe.run(document, { resultTypes: ['violations'] })
      return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }))
    })()`)) as AxeViolation[]
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    assert.deepEqual(
      serious.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      [],
      `${label} at ${size.width}px has accessibility violations`,
    )
  }
  await page.setViewportSize(WIDTHS.desktop)
}
