import assert from 'node:assert/strict'
import { test } from 'node:test'
import { seedDemoIfEmpty } from '../../src/cli/demo-seed.js'
import { startTestApp } from '../support/app.js'

test('the demo seed fills an empty database once, with working generated credentials', async () => {
  const t = await startTestApp()
  try {
    const context = { config: t.config, db: t.app.db, clock: t.app.clock, secrets: t.app.secrets }
    const seed = await seedDemoIfEmpty(context)
    assert.ok(seed)
    assert.equal(await seedDemoIfEmpty(context), undefined, 'a database with users is never seeded again')
    assert.notEqual(seed.admin.password, seed.user.password)

    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const basic = `Basic ${Buffer.from(`${seed.app.clientId}:${seed.app.clientSecret}`).toString('base64')}`
    const token = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { ...form, authorization: basic }, payload: 'grant_type=client_credentials' })
    assert.equal(token.statusCode, 200)
    const issues = await t.app.inject({ url: '/2.0/repositories/demo/hello-world/issues', headers: { authorization: `Bearer ${token.json().access_token}` } })
    assert.equal(issues.statusCode, 200)
    assert.equal(issues.json().values[0].title, 'Try the API')

    const csrf = await t.app.inject({ url: '/login' })
    const csrfToken = /name="csrf_token" value="([^"]+)"/.exec(csrf.body)![1]
    const cookie = csrf.cookies.map((c) => `${c.name}=${c.value}`).join('; ')
    const signIn = await t.app.inject({
      method: 'POST', url: '/login', headers: { ...form, cookie },
      payload: new URLSearchParams({ username: 'admin', password: seed.admin.password, csrf_token: csrfToken }).toString(),
    })
    assert.equal(signIn.statusCode, 303, 'the printed admin password signs in')
  } finally {
    await t.close()
  }
})
