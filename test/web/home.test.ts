import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertAccessible, launchBrowser, newContext, screenshotBothWidths } from '../support/browser.js'
import { insertUser, PASSWORD, signIn, startWebApp } from './fixtures.js'

test('the signed-in home page is a landing with the settings groups, and passes axe-core', async () => {
  const t = await startWebApp({}, { listen: true })
  const browser = await launchBrowser()
  try {
    await insertUser(t.app)
    await t.app.db.updateTable('users').set({ is_admin: 1 }).where('username', '=', 'ada').execute()
    const context = await newContext(browser)
    const page = await context.newPage()
    await page.goto(`${t.config.issuer}/login`)
    await page.getByLabel('Username').fill('ada')
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Hello, ada' }).waitFor()
    for (const group of t.app.settingsNav.visibleTo({ id: 'x', username: 'ada', displayName: 'ada', isAdmin: true })) {
      await page.getByRole('heading', { name: group.group }).waitFor()
    }
    await assertAccessible(page, 'home, signed in')
    await screenshotBothWidths(page, 'home-signed-in')
    assert.equal(await page.getByRole('region', { name: 'Developer' }).getByRole('link', { name: 'Scope reference' }).getAttribute('href'), '/docs/scopes')
    const first = t.app.settingsNav.firstFor({ id: 'x', username: 'ada', displayName: 'ada', isAdmin: true })
    if (first) {
      await page.getByRole('link', { name: first.label, exact: true }).first().click()
      await page.waitForURL(`${t.config.issuer}${first.path}`)
      assert.equal(new URL(page.url()).pathname, first.path)
    }
    await context.close()
  } finally {
    await browser.close()
    await t.close()
  }
})

test('the signed-in home page links to the playground exactly when the deployment serves it', async () => {
  for (const playground of [true, false]) {
    const t = await startWebApp({ playground })
    try {
      await insertUser(t.app)
      const jar = await signIn(t.app)
      const body = (await t.app.inject({ method: 'GET', url: '/', cookies: jar })).body
      assert.equal(body.includes('<a href="/playground">Open the playground</a>'), playground, `playground ${playground}`)
      assert.equal((await t.app.inject({ method: 'GET', url: '/playground', cookies: jar })).statusCode === 404, !playground)
    } finally {
      await t.close()
    }
  }
})
