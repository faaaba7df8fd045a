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

test('the home page names the signed-in user and has a sign-out button', async () => {
  const t = await startWebApp()
  try {
    await insertUser(t.app)
    const jar = await signIn(t.app)
    const response = await t.app.inject({ method: 'GET', url: '/', cookies: jar })
    assert.match(response.body, /Signed in as <strong>ada<\/strong>/)
    assert.match(response.body, /<form method="post" action="\/logout">\s*<input type="hidden" name="csrf_token" value="[^"]+">\s*<button type="submit" class="secondary">Sign out<\/button>/)
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
