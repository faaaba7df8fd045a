import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createUser } from '../../src/users/users.service.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { addClient, asClient, PASSWORD } from '../oauth/fixtures.js'
import { form, signedInCsrf, signIn } from '../web/fixtures.js'

async function withAccounts(t: TestApp) {
  await createUser(t.app.db, t.app.clock, { username: 'root', password: PASSWORD, isAdmin: true })
  await createUser(t.app.db, t.app.clock, { username: 'ada', password: PASSWORD })
  await createUser(t.app.db, t.app.clock, { username: 'grace', password: PASSWORD })
}

/** A form post as the browser holding `jar` sends it from a Gatehouse page. */
async function post(t: TestApp, url: string, jar: Record<string, string> | undefined, csrf?: string) {
  const origin = new URL(t.config.issuer).origin
  return t.app.inject({ method: 'POST', url, cookies: jar ?? {}, ...form({ csrf_token: csrf ?? (jar ? await signedInCsrf(t.app, jar) : undefined) }, { origin, 'sec-fetch-site': 'same-origin' }) })
}

async function isDisabled(t: TestApp, username: string): Promise<boolean> {
  const row = await t.app.db.selectFrom('users').select('disabled_at').where('username', '=', username).executeTakeFirstOrThrow()
  return row.disabled_at !== null
}

test('an administrator disables, enables and deletes accounts with a form post', async () => {
  const t = await startTestApp()
  try {
    await withAccounts(t)
    const root = await signIn(t.app, 'root')
    const disabled = await post(t, '/settings/admin/users/ada/disable', root)
    assert.equal(disabled.statusCode, 303, disabled.body)
    assert.equal(disabled.headers.location, '/settings/admin/users?done=disable&name=ada')
    const back = await t.app.inject({ method: 'GET', url: disabled.headers.location, cookies: root })
    assert.match(back.body, /<p class="notice success" role="status">ada is disabled: signed out everywhere/)
    assert.equal(await isDisabled(t, 'ada'), true)
    assert.equal((await post(t, '/settings/admin/users/ada/enable', root)).statusCode, 303)
    assert.equal(await isDisabled(t, 'ada'), false)
    assert.equal((await post(t, '/settings/admin/users/grace/delete', root)).statusCode, 303)
    assert.equal(await t.app.db.selectFrom('users').select('id').where('username', '=', 'grace').executeTakeFirst(), undefined)
  } finally {
    await t.close()
  }
})

test('an administrator disables, enables and deletes apps with a form post', async () => {
  const t = await startTestApp()
  try {
    await withAccounts(t)
    const client = await addClient(t.app, { name: 'Tracker' })
    const root = await signIn(t.app, 'root')
    const disabled = await post(t, `/settings/admin/apps/${client.app.clientId}/disable`, root)
    assert.equal(disabled.statusCode, 303, disabled.body)
    const back = await t.app.inject({ method: 'GET', url: disabled.headers.location as string, cookies: root })
    assert.match(back.body, /Tracker is disabled: it can no longer authenticate/)
    assert.equal((await asClient(t.app, client, '/oauth/introspect', { token: 'x' })).statusCode, 401, 'it can no longer authenticate')
    assert.equal((await post(t, `/settings/admin/apps/${client.app.clientId}/enable`, root)).statusCode, 303)
    assert.equal((await asClient(t.app, client, '/oauth/introspect', { token: 'x' })).statusCode, 200)
    assert.equal((await post(t, `/settings/admin/apps/${client.app.clientId}/delete`, root)).statusCode, 303)
    const again = await post(t, `/settings/admin/apps/${client.app.clientId}/delete`, root)
    assert.equal(again.statusCode, 404, 'a readable page, not a 500')
    assert.match(again.body, /<p class="notice error" role="alert">No app/)
  } finally {
    await t.close()
  }
})

test('a signed-in user who is not an administrator gets 403 saying an administrator is needed, and nothing changes', async () => {
  const t = await startTestApp()
  try {
    await withAccounts(t)
    const client = await addClient(t.app)
    const ada = await signIn(t.app, 'ada')
    for (const url of ['/settings/admin/users/grace/disable', '/settings/admin/users/ada/delete', `/settings/admin/apps/${client.app.clientId}/disable`]) {
      const response = await post(t, url, ada)
      assert.equal(response.statusCode, 403, url)
      assert.match(response.headers['content-type'] as string, /text\/html/)
      assert.match(response.body, /This action needs an administrator, and ada is not one/)
    }
    assert.equal(await isDisabled(t, 'grace'), false)
    assert.ok(await t.app.db.selectFrom('users').select('id').where('username', '=', 'ada').executeTakeFirst())
  } finally {
    await t.close()
  }
})

test('without a session the browser is sent to sign in; an administrator who lost the flag is refused at once', async () => {
  const t = await startTestApp()
  try {
    await withAccounts(t)
    const anonymous = await post(t, '/settings/admin/users/ada/disable', undefined, 'whatever')
    assert.equal(anonymous.statusCode, 303)
    assert.match(anonymous.headers.location as string, /^\/login\?return_to=/)
    const root = await signIn(t.app, 'root')
    await createUser(t.app.db, t.app.clock, { username: 'other-admin', password: PASSWORD, isAdmin: true })
    await t.app.db.updateTable('users').set({ is_admin: 0 }).where('username', '=', 'root').execute()
    const demoted = await post(t, '/settings/admin/users/ada/disable', root)
    assert.equal(demoted.statusCode, 403)
    assert.match(demoted.body, /needs an administrator/)
    assert.equal(await isDisabled(t, 'ada'), false)
  } finally {
    await t.close()
  }
})

test('an admin form post without the CSRF token, or from another site, is refused', async () => {
  const t = await startTestApp()
  try {
    await withAccounts(t)
    const root = await signIn(t.app, 'root')
    const noToken = await t.app.inject({ method: 'POST', url: '/settings/admin/users/ada/disable', cookies: root, ...form({}) })
    assert.equal(noToken.statusCode, 403)
    const crossSite = await t.app.inject({
      method: 'POST', url: '/settings/admin/users/ada/disable', cookies: root,
      ...form({ csrf_token: await signedInCsrf(t.app, root) }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }),
    })
    assert.equal(crossSite.statusCode, 403)
    assert.equal(await isDisabled(t, 'ada'), false)
  } finally {
    await t.close()
  }
})

test("refusals are readable pages: one's own account, an unknown account, an unknown action", async () => {
  const t = await startTestApp()
  try {
    await withAccounts(t)
    const root = await signIn(t.app, 'root')
    const own = await post(t, '/settings/admin/users/root/disable', root)
    assert.equal(own.statusCode, 409)
    assert.match(own.body, /You cannot disable your own account; another administrator can/)
    const unknown = await post(t, '/settings/admin/users/nobody/disable', root)
    assert.equal(unknown.statusCode, 404)
    assert.match(unknown.body, /No user named &quot;nobody&quot;/)
    assert.equal((await post(t, '/settings/admin/users/ada/frobnicate', root)).statusCode, 400)
  } finally {
    await t.close()
  }
})
