import assert from 'node:assert/strict'
import { test } from 'node:test'
import { insertUser, signIn, startWebApp } from './fixtures.js'

test('the home page offers to sign in when signed out', async () => {
  const t = await startWebApp()
  try {
    const response = await t.app.inject({ method: 'GET', url: '/' })
    assert.equal(response.statusCode, 200)
    assert.equal(response.headers['cache-control'], 'no-store')
    assert.match(response.body, /<a class="button primary" href="\/login">Sign in<\/a>/)
    assert.doesNotMatch(response.body, /Sign out/)
  } finally {
    await t.close()
  }
})

test('the home page, signed in, greets the user, names them in the header with a sign-out button, and links to their settings', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const jar = await signIn(t.app)
    const response = await t.app.inject({ method: 'GET', url: '/', cookies: jar })
    assert.match(response.body, /<h1 id="title">Hello, ada<\/h1>/)
    assert.match(response.body, /Signed in as <strong>ada<\/strong>/)
    assert.match(response.body, /<header class="site">[\s\S]*<a class="account-name" href="\/settings" title="Settings">ada<\/a>\s*<input type="hidden" name="csrf_token" value="[^"]+">\s*<button type="submit" class="link">Sign out<\/button>[\s\S]*<\/header>/)
    for (const section of t.app.settingsNav.visibleTo({ id: 'x', username: 'ada', displayName: 'ada', isAdmin: false }).flatMap((g) => g.sections)) {
      assert.ok(response.body.includes(`<a href="${section.path}">${section.label}</a>`), section.path)
    }
    assert.doesNotMatch(response.body, /href="\/settings\/admin/, 'admin links are for administrators')
  } finally {
    await t.close()
  }
})

test('the home page links an administrator to the Admin settings too', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    await t.app.db.updateTable('users').set({ is_admin: 1 }).where('username', '=', 'ada').execute()
    const jar = await signIn(t.app)
    const body = (await t.app.inject({ method: 'GET', url: '/', cookies: jar })).body
    assert.match(body, /<h2 id="home-admin">Admin<\/h2>/)
    for (const section of t.app.settingsNav.visibleTo({ id: 'x', username: 'ada', displayName: 'ada', isAdmin: true }).flatMap((g) => g.sections)) {
      assert.ok(body.includes(`<a href="${section.path}">${section.label}</a>`), section.path)
    }
  } finally {
    await t.close()
  }
})

test('the sign-in page shows who is signed in already in the header', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const jar = await signIn(t.app)
    const body = (await t.app.inject({ method: 'GET', url: '/login?again=1', cookies: jar })).body
    assert.match(body, /<a class="account-name" href="\/settings" title="Settings">ada<\/a>/)
    assert.doesNotMatch((await t.app.inject({ method: 'GET', url: '/login' })).body, /account-name/)
  } finally {
    await t.close()
  }
})

test('pages carry no inline script or style, which the Content-Security-Policy forbids', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const jar = await signIn(t.app)
    for (const [url, cookies] of [['/', {}], ['/', jar], ['/login', {}]] as const) {
      const response = await t.app.inject({ method: 'GET', url, cookies })
      const csp = response.headers['content-security-policy'] as string
      assert.match(csp, /script-src 'self'/)
      assert.doesNotMatch(csp, /unsafe-inline/)
      // One external script (progressive enhancement, same origin), and nothing inline.
      assert.deepEqual(response.body.match(/<script[^>]*>/gi), ['<script src="/assets/gatehouse.js" defer>'], url)
      assert.doesNotMatch(response.body.replace('<script src="/assets/gatehouse.js" defer></script>', ''), /<script|<style| style=| on[a-z]+=/i, url)
    }
  } finally {
    await t.close()
  }
})

test('the stylesheet is served as cacheable CSS and revalidates with its ETag', async () => {
  const t = await startWebApp()
  try {
    const response = await t.app.inject({ method: 'GET', url: '/assets/gatehouse.css' })
    assert.equal(response.statusCode, 200)
    assert.match(response.headers['content-type'] as string, /^text\/css/)
    assert.match(response.headers['cache-control'] as string, /public, max-age=\d+/)
    assert.match(response.body, /:focus-visible/)
    const etag = response.headers.etag as string
    assert.ok(etag)
    const revalidated = await t.app.inject({ method: 'GET', url: '/assets/gatehouse.css', headers: { 'if-none-match': etag } })
    assert.equal(revalidated.statusCode, 304)
    assert.equal(revalidated.body, '')
  } finally {
    await t.close()
  }
})

test('pages send Referrer-Policy: same-origin, so our own form posts carry a real Origin and other sites get no Referer', async () => {
  const t = await startWebApp()
  try {
    for (const url of ['/', '/login']) {
      assert.equal((await t.app.inject({ method: 'GET', url })).headers['referrer-policy'], 'same-origin', url)
    }
  } finally {
    await t.close()
  }
})
