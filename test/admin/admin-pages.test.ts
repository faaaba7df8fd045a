import assert from 'node:assert/strict'
import { test } from 'node:test'
import { newId } from '../../src/domain/ids.js'
import { createWorkspace } from '../../src/platform/index.js'
import { createUser } from '../../src/users/users.service.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { cookiesFrom, csrfFor, form, insertApp, PASSWORD, signedInCsrf, signIn } from '../web/fixtures.js'

// The admin console's pages over HTTP: who may see them, search and pages, creating accounts,
// new passwords, the admin flag, verifying apps and workspaces' members.

async function withAccounts(t: TestApp) {
  await createUser(t.app.db, t.app.clock, { username: 'root', password: PASSWORD, isAdmin: true, displayName: 'Site Admin' })
  await createUser(t.app.db, t.app.clock, { username: 'ada', password: PASSWORD, displayName: 'Ada Lovelace' })
  await createUser(t.app.db, t.app.clock, { username: 'grace', password: PASSWORD, displayName: 'Grace Hopper' })
}

function get(t: TestApp, url: string, jar: Record<string, string> = {}) {
  return t.app.inject({ method: 'GET', url, cookies: jar })
}

/** A form post as the browser holding `jar` sends it from a Gatehouse page. */
async function post(t: TestApp, url: string, jar: Record<string, string>, fields: Record<string, string | undefined> = {}) {
  const origin = new URL(t.config.issuer).origin
  return t.app.inject({ method: 'POST', url, cookies: jar, ...form({ csrf_token: await signedInCsrf(t.app, jar), ...fields }, { origin, 'sec-fetch-site': 'same-origin' }) })
}

/** Signs in through the form with any password: the browser's cookies on success, the status otherwise. */
async function signInWith(t: TestApp, username: string, password: string): Promise<{ status: number; jar: Record<string, string> }> {
  const { jar, token } = await csrfFor(t.app)
  const response = await t.app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username, password, csrf_token: token }) })
  return { status: response.statusCode, jar: cookiesFrom(response, jar) }
}

/** The usernames (or app names) heading the rows of a console table, in order. */
function rowNames(body: string): string[] {
  return [...body.matchAll(/<th scope="row" class="cell-name">(?:<a [^>]*>)?([^<]+)/g)].map((m) => m[1].trim())
}

function shownPassword(body: string): string {
  const match = /<input id="new-password" type="text" readonly value="([^"]+)"/.exec(body)
  assert.ok(match, 'the page shows the password')
  return match[1]
}

function userRow(t: TestApp, username: string) {
  return t.app.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirstOrThrow()
}

test('a signed-in user who is not an administrator gets a 403 page in the normal layout, saying an administrator is needed', async () => {
  const t = await startTestApp()
  try {
    await withAccounts(t)
    await createWorkspace(t.app.db, t.app.clock, { slug: 'team', members: [] })
    const ada = await signIn(t.app, 'ada')
    for (const url of ['/settings/admin/users', '/settings/admin/users/new', '/settings/admin/apps', '/settings/admin/workspaces', '/settings/admin/workspaces/team']) {
      const response = await get(t, url, ada)
      assert.equal(response.statusCode, 403, url)
      assert.match(response.headers['content-type'] as string, /text\/html/)
      assert.match(response.body, /<h1 id="title">Administrators only<\/h1>/)
      assert.match(response.body, /This page needs an administrator, and ada is not one\./)
      assert.match(response.body, /<a class="account-name" href="\/settings" title="Settings">ada<\/a>/, 'the header says who is signed in')
      assert.doesNotMatch(response.body, /href="\/settings\/admin\//, 'no admin links for a non-administrator')
    }
  } finally {
    await t.close()
  }
})

test('a signed-out browser is sent to sign in and brought back to the admin page', async () => {
  const t = await startTestApp()
  try {
    const response = await get(t, '/settings/admin/users?q=ad')
    assert.equal(response.statusCode, 303)
    assert.equal(response.headers.location, `/login?return_to=${encodeURIComponent('/settings/admin/users?q=ad')}`)
    assert.equal((await get(t, '/settings/admin/workspaces')).statusCode, 303)
  } finally {
    await t.close()
  }
})

test('administrators see the Admin group, and search users by username or display name in any case', async () => {
  const t = await startTestApp()
  try {
    await withAccounts(t)
    await createUser(t.app.db, t.app.clock, { username: 'under_score', password: PASSWORD })
    const root = await signIn(t.app, 'root')

    const all = await get(t, '/settings/admin/users', root)
    assert.equal(all.statusCode, 200)
    assert.match(all.body, /<h2 class="nav-group">Admin<\/h2>\s*<ul>\s*<li><a href="\/settings\/admin\/users" aria-current="page">Users<\/a><\/li>\s*<li><a href="\/settings\/admin\/apps">Apps<\/a><\/li>\s*<li><a href="\/settings\/admin\/workspaces">Workspaces<\/a><\/li>/)
    assert.deepEqual(rowNames(all.body), ['ada', 'grace', 'root', 'under_score'])
    assert.match(all.body, /<span class="badge admin">Admin<\/span>/)
    assert.match(all.body, /4 users/)

    assert.deepEqual(rowNames((await get(t, '/settings/admin/users?q=LOVELACE', root)).body), ['ada'], 'by display name, any case')
    assert.deepEqual(rowNames((await get(t, '/settings/admin/users?q=GR', root)).body), ['grace'], 'by username, any case')
    assert.deepEqual(rowNames((await get(t, '/settings/admin/users?q=_', root)).body), ['under_score'], '"_" is a character, not a wildcard')
    const none = await get(t, '/settings/admin/users?q=%25', root)
    assert.deepEqual(rowNames(none.body), [], '"%" is a character, not a wildcard')
    assert.match(none.body, /No users match “%”/)
    assert.match(none.body, /<input type="search" id="list-search" name="q" value="%"/, 'the search stays in the box')
  } finally {
    await t.close()
  }
})

test('the users list comes a page at a time, and actions bring the same page back', async () => {
  const t = await startTestApp()
  try {
    await withAccounts(t)
    const now = t.app.clock.now()
    const rows = Array.from({ length: 27 }, (_, i) => ({
      id: newId(), username: `user${String(i).padStart(2, '0')}`, password_hash: 'scrypt$x', is_admin: 0, display_name: `User ${i}`, created_at: now, disabled_at: null,
    }))
    await t.app.db.insertInto('users').values(rows).execute()
    const root = await signIn(t.app, 'root')

    const first = await get(t, '/settings/admin/users?q=user', root)
    assert.equal(rowNames(first.body).length, 25)
    assert.match(first.body, /1–25 of 27/)
    assert.match(first.body, /<a class="button secondary small" rel="next" href="\/settings\/admin\/users\?q=user&amp;page=2">Next<\/a>/)
    const second = await get(t, '/settings/admin/users?q=user&page=2', root)
    assert.deepEqual(rowNames(second.body), ['user25', 'user26'])
    assert.match(second.body, /26–27 of 27/)
    assert.match(second.body, /rel="prev" href="\/settings\/admin\/users\?q=user"/)

    const disabled = await post(t, '/settings/admin/users/user26/disable', root, { q: 'user', page: '2' })
    assert.equal(disabled.statusCode, 303)
    assert.equal(disabled.headers.location, '/settings/admin/users?q=user&page=2&done=disable&name=user26')
    const back = await get(t, disabled.headers.location as string, root)
    assert.match(back.body, /user26 is disabled/)
    assert.match(back.body, /<th scope="row" class="cell-name">user26<span class="cell-detail">User 26<\/span><\/th>\s*<td><span class="badge danger">Disabled<\/span>/)

    const past = await get(t, '/settings/admin/users?page=9', root)
    assert.equal(past.statusCode, 200)
    assert.match(past.body, /There are only 30 users/)
  } finally {
    await t.close()
  }
})

test('creating a user: errors next to their field with what was typed kept, then a set or a generated password that signs in', async () => {
  const t = await startTestApp()
  try {
    await withAccounts(t)
    const root = await signIn(t.app, 'root')
    assert.equal((await get(t, '/settings/admin/users/new', root)).statusCode, 200)

    const badName = await post(t, '/settings/admin/users', root, { username: 'Not Valid', display_name: 'Someone <b>', password_choice: 'generate' })
    assert.equal(badName.statusCode, 400)
    assert.match(badName.body, /<p class="field-error" id="username-error">A username is 2–39 characters/)
    assert.match(badName.body, /id="username" name="username" type="text" value="Not Valid"/)
    assert.match(badName.body, /id="display_name" name="display_name" type="text" value="Someone &lt;b&gt;"/)

    const taken = await post(t, '/settings/admin/users', root, { username: 'ada', password_choice: 'generate' })
    assert.equal(taken.statusCode, 409)
    assert.match(taken.body, /<p class="field-error" id="username-error">The username &quot;ada&quot; is taken<\/p>/)

    const short = await post(t, '/settings/admin/users', root, { username: 'lin', password_choice: 'set', password: 'short' })
    assert.equal(short.statusCode, 400)
    assert.match(short.body, /<p class="field-error" id="password-error">A password needs at least 8 characters<\/p>/)
    assert.match(short.body, /value="set" checked/, 'the choice is kept')
    assert.match(short.body, /id="username" name="username" type="text" value="lin"/)

    const longName = await post(t, '/settings/admin/users', root, { username: 'lin', display_name: 'x'.repeat(101), password_choice: 'generate' })
    assert.equal(longName.statusCode, 400)
    assert.match(longName.body, /id="display_name-error">A display name is at most 100 characters/)
    assert.equal(await t.app.db.selectFrom('users').select('id').where('username', '=', 'lin').executeTakeFirst(), undefined, 'nothing was created')

    const set = await post(t, '/settings/admin/users', root, { username: 'lin', display_name: 'Lin Wei', password_choice: 'set', password: 'a long enough password' })
    assert.equal(set.statusCode, 303, set.body)
    assert.equal(set.headers.location, '/settings/admin/users?q=lin&done=created&name=lin')
    assert.match((await get(t, set.headers.location as string, root)).body, /Created the account lin\./)
    assert.equal((await signInWith(t, 'lin', 'a long enough password')).status, 303)
    assert.equal((await userRow(t, 'lin')).display_name, 'Lin Wei')

    const generated = await post(t, '/settings/admin/users', root, { username: 'mo', password_choice: 'generate', is_admin: 'on' })
    assert.equal(generated.statusCode, 200)
    assert.match(generated.body, /Created the account mo, an administrator\./)
    assert.match(generated.body, /<button type="button" class="copy secondary small" data-copy="new-password" hidden>Copy<\/button>/)
    assert.equal((await signInWith(t, 'mo', shownPassword(generated.body))).status, 303)
    assert.equal((await userRow(t, 'mo')).is_admin, 1)
    assert.equal((await userRow(t, 'mo')).display_name, 'mo', 'the username when no display name is given')
  } finally {
    await t.close()
  }
})

test('resetting a password: a new one shown once signs in, the old one does not, and the account is signed out everywhere', async () => {
  const t = await startTestApp()
  try {
    await withAccounts(t)
    const ada = await signIn(t.app, 'ada')
    assert.equal((await get(t, '/settings', ada)).statusCode, 303)
    assert.doesNotMatch((await get(t, '/settings', ada)).headers.location as string, /^\/login/, 'signed in before the reset')
    const root = await signIn(t.app, 'root')

    const reset = await post(t, '/settings/admin/users/ada/reset-password', root)
    assert.equal(reset.statusCode, 200, reset.body)
    assert.match(reset.body, /ada has a new password and is signed out everywhere\./)
    const password = shownPassword(reset.body)

    assert.match((await get(t, '/settings', ada)).headers.location as string, /^\/login/, "ada's session has ended")
    assert.equal((await signInWith(t, 'ada', PASSWORD)).status, 401, 'the old password no longer works')
    assert.equal((await signInWith(t, 'ada', password)).status, 303, 'the new one does')
    assert.equal((await get(t, '/settings/admin/users', root)).statusCode, 200, "the administrator's own session goes on")
  } finally {
    await t.close()
  }
})

test('making and removing administrators; an administrator cannot demote, disable, delete or reset themselves, and is told so', async () => {
  const t = await startTestApp()
  try {
    await withAccounts(t)
    const root = await signIn(t.app, 'root')
    assert.equal((await post(t, '/settings/admin/users/grace/make-admin', root)).statusCode, 303)
    assert.equal((await userRow(t, 'grace')).is_admin, 1)
    const list = await get(t, '/settings/admin/users?done=make-admin&name=grace', root)
    assert.match(list.body, /grace is now an administrator\./)
    assert.match(list.body, /<th scope="row" class="cell-name">grace <span class="badge admin">Admin<\/span><span class="cell-detail">Grace Hopper<\/span><\/th>/)
    assert.match(list.body, /<th scope="row" class="cell-name">root <span class="badge admin">Admin<\/span> <span class="badge">You<\/span><span class="cell-detail">Site Admin<\/span><\/th>[\s\S]*?<p class="menu-note">This is your account\./, 'the own row says why its actions are missing')
    assert.doesNotMatch(list.body, /action="\/settings\/admin\/users\/root\//, 'and offers none')

    assert.equal((await post(t, '/settings/admin/users/grace/remove-admin', root)).statusCode, 303)
    assert.equal((await userRow(t, 'grace')).is_admin, 0)

    for (const [action, message] of [
      ['remove-admin', 'You cannot remove your own administrator role; another administrator can'],
      ['disable', 'You cannot disable your own account; another administrator can'],
      ['delete', 'You cannot delete your own account; another administrator can'],
      ['reset-password', 'You cannot reset your own password here, since it would sign you out; another administrator can'],
    ] as const) {
      const refused = await post(t, `/settings/admin/users/root/${action}`, root)
      assert.equal(refused.statusCode, 409, action)
      assert.match(refused.body, new RegExp(`<p class="notice error" role="alert">${message}</p>`), action)
    }
    const rootRow = await userRow(t, 'root')
    assert.equal(rootRow.is_admin, 1)
    assert.equal(rootRow.disabled_at, null)
    assert.equal((await get(t, '/settings/admin/users', root)).statusCode, 200, 'still signed in')
  } finally {
    await t.close()
  }
})

test('apps: every app with its owner, workspace and badges; verifying and removing the verification', async () => {
  const t = await startTestApp()
  try {
    await withAccounts(t)
    const ada = await userRow(t, 'ada')
    const workspace = await createWorkspace(t.app.db, t.app.clock, { slug: 'team', members: [{ userId: ada.id, role: 'owner' }] })
    const client = await insertApp(t.app, { name: 'Tracker', ownerId: ada.id, workspaceId: workspace.id })
    await insertApp(t.app, { name: 'Orphan', isPublic: true })
    const root = await signIn(t.app, 'root')

    const list = await get(t, '/settings/admin/apps', root)
    assert.equal(list.statusCode, 200)
    assert.match(list.body, new RegExp(`Tracker</a><span class="cell-detail"><code>${client.clientId}</code></span></th>\\s*<td class="hide-narrow">ada</td>\\s*<td class="hide-narrow"><a href="/settings/admin/workspaces/team">team</a></td>\\s*<td class="hide-narrow">Confidential</td>`))
    assert.match(list.body, /Orphan<\/a><span class="cell-detail">[\s\S]*?<td class="hide-narrow"><span class="muted" aria-hidden="true">—<\/span><span class="visually-hidden">No owner<\/span><\/td>/)
    assert.equal([...list.body.matchAll(/<span class="badge unverified">Unverified<\/span>/g)].length, 2)
    assert.deepEqual(rowNames((await get(t, `/settings/admin/apps?q=${client.clientId.toUpperCase()}`, root)).body), ['Tracker'], 'search by client ID, any case')

    const verified = await post(t, `/settings/admin/apps/${client.clientId}/verify`, root)
    assert.equal(verified.statusCode, 303)
    const verifiedAt = (await t.app.db.selectFrom('apps').select('verified_at').where('client_id', '=', client.clientId).executeTakeFirstOrThrow()).verified_at
    assert.ok(verifiedAt)
    const changed = await t.app.db.selectFrom('revocations').select('id').where('kind', '=', 'app_changed').where('subject', '=', client.clientId).execute()
    assert.ok(changed.length > 0, 'running servers hear of the change')
    const after = await get(t, verified.headers.location as string, root)
    assert.match(after.body, /Tracker is verified: its consent page says so\./)
    assert.match(after.body, /<span class="badge verified" title="Verified on \d{4}-\d\d-\d\d">Verified<\/span>/)
    assert.match(after.body, /<button type="submit">Remove verification<\/button>/)

    assert.equal((await post(t, `/settings/admin/apps/${client.clientId}/verify`, root)).statusCode, 303)
    const again = await t.app.db.selectFrom('apps').select('verified_at').where('client_id', '=', client.clientId).executeTakeFirstOrThrow()
    assert.equal(again.verified_at, verifiedAt, 'verifying again keeps the first date')

    assert.equal((await post(t, `/settings/admin/apps/${client.clientId}/unverify`, root)).statusCode, 303)
    const unverified = await t.app.db.selectFrom('apps').select('verified_at').where('client_id', '=', client.clientId).executeTakeFirstOrThrow()
    assert.equal(unverified.verified_at, null)
    assert.match((await get(t, '/settings/admin/apps?done=unverify&name=Tracker', root)).body, /Tracker is no longer verified\./)
  } finally {
    await t.close()
  }
})

test('workspaces: the list with member counts, and a workspace with its members and their roles', async () => {
  const t = await startTestApp()
  try {
    await withAccounts(t)
    const ada = await userRow(t, 'ada')
    const grace = await userRow(t, 'grace')
    const team = await createWorkspace(t.app.db, t.app.clock, { slug: 'team', name: 'The Team', members: [{ userId: grace.id, role: 'member' }, { userId: ada.id, role: 'owner' }] })
    await createWorkspace(t.app.db, t.app.clock, { slug: 'empty', members: [] })
    await insertApp(t.app, { name: 'Team Bot', workspaceId: team.id })
    const root = await signIn(t.app, 'root')

    const list = await get(t, '/settings/admin/workspaces', root)
    assert.equal(list.statusCode, 200)
    assert.deepEqual(rowNames(list.body), ['empty', 'team'])
    assert.match(list.body, /team<\/a><span class="cell-detail">The Team<\/span><\/th>\s*<td class="numeric">2<\/td>\s*<td class="numeric">1<\/td>/)

    const page = await get(t, '/settings/admin/workspaces/team', root)
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /<h1 id="title">The Team<\/h1>/)
    assert.match(page.body, /<a href="\/settings\/admin\/workspaces" aria-current="page">Workspaces<\/a>/, 'the section stays marked')
    assert.deepEqual(rowNames(page.body), ['ada', 'grace', 'Team Bot'], 'owners first, then members; then the apps')
    assert.match(page.body, /ada<\/a><span class="cell-detail">Ada Lovelace<\/span><\/th>\s*<td><span class="badge admin">Owner<\/span><\/td>/)
    assert.match(page.body, /grace<\/a><span class="cell-detail">Grace Hopper<\/span><\/th>\s*<td><span class="muted">Member<\/span><\/td>/)

    const empty = await get(t, '/settings/admin/workspaces/empty', root)
    assert.match(empty.body, /Nobody belongs to this workspace\./)
    assert.match(empty.body, /No apps belong to this workspace\./)
    const unknown = await get(t, '/settings/admin/workspaces/nowhere', root)
    assert.equal(unknown.statusCode, 404)
    assert.match(unknown.body, /No workspace named &quot;nowhere&quot;/)
  } finally {
    await t.close()
  }
})
