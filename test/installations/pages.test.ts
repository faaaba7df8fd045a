import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'
import { decodeProtectedHeader, jwtVerify } from 'jose'
import { queryStringHash } from '../../src/domain/qsh.js'
import { registerDescriptor } from '../../src/installations/descriptors.service.js'
import { recordReport } from '../../src/installations/enforcements.service.js'
import { usableSharedSecrets } from '../../src/installations/installation-secrets.js'
import { findLiveInstallation } from '../../src/installations/installations.queries.js'
import { install, listInstallations } from '../../src/installations/installations.service.js'
import { createWorkspace } from '../../src/platform/index.js'
import { createUser } from '../../src/users/users.service.js'
import type { TestApp } from '../support/app.js'
import { startTestVendor, type TestVendor } from '../support/vendor.js'
import { form, insertUser, PASSWORD, signIn, signedInCsrf, startWebApp } from '../web/fixtures.js'

// The console pages of installed apps, over HTTP: Workspaces (a workspace's apps, installing, page
// modules), Developer → Installed apps, and Admin → Enforcements, with who may see and do what.

let t: TestApp
let vendor: TestVendor
let ids: Record<'acme' | 'alice' | 'bob' | 'carol' | 'root', string>
let origin: Record<string, string>
let workspaceCount = 0
const browsers = new Map<string, Browser>()

interface Browser {
  jar: Record<string, string>
  csrf: string
}

before(async () => {
  t = await startWebApp({}, { listen: true })
  origin = { origin: t.config.issuer }
  vendor = await startTestVendor(t.config.issuer)
  const { db, clock } = t.app
  ids = {
    acme: (await insertUser(t.app, 'acme')).id,
    alice: (await insertUser(t.app, 'alice')).id,
    bob: (await insertUser(t.app, 'bob')).id,
    carol: (await insertUser(t.app, 'carol')).id,
    root: (await createUser(db, clock, { username: 'root', password: PASSWORD, isAdmin: true })).id,
  }
})

after(async () => {
  await vendor?.close()
  await t?.close()
})

beforeEach(() => {
  vendor.answer = 204
})

async function as(username: string): Promise<Browser> {
  let browser = browsers.get(username)
  if (!browser) {
    const jar = await signIn(t.app, username)
    browser = { jar, csrf: await signedInCsrf(t.app, jar) }
    browsers.set(username, browser)
  }
  return browser
}

function get(username: string, url: string) {
  return as(username).then((b) => t.app.inject({ method: 'GET', url, cookies: b.jar }))
}

function post(username: string, url: string, fields: Record<string, string | undefined> = {}) {
  return as(username).then((b) => t.app.inject({ method: 'POST', url, cookies: b.jar, ...form({ csrf_token: b.csrf, ...fields }, origin) }))
}

/** A fresh workspace owned by alice with bob as a member, so each test starts with nothing installed. */
async function newWorkspace(name?: string): Promise<string> {
  const slug = `team-${++workspaceCount}`
  await createWorkspace(t.app.db, t.app.clock, { slug, name, members: [{ userId: ids.alice, role: 'owner' }, { userId: ids.bob, role: 'member' }] })
  return slug
}

/** A descriptor published by acme (the vendor account). */
function register(key: string, overrides: Record<string, unknown> = {}) {
  return registerDescriptor(t.app.installedApps.descriptors, { document: vendor.descriptor({ key, ...overrides }) }, { ownerId: ids.acme, isAdmin: false })
}

function installAs(key: string, slug: string) {
  return install(t.app.installedApps.installations, { appKey: key, workspaceSlug: slug, actor: { id: ids.alice, isAdmin: false } })
}

const appsPath = (slug: string) => `/settings/workspaces/${slug}/apps`
/** Where an app's page is shown inside the platform (the old address under /settings redirects there). */
const modulePath = (slug: string, key: string, module: string) => `/workspaces/${slug}/apps/${key}/${module}`

async function liveRow(key: string, slug: string) {
  const app = await t.app.db.selectFrom('descriptors').select('app_id').where('key', '=', key).executeTakeFirstOrThrow()
  const workspace = await t.app.db.selectFrom('workspaces').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()
  return findLiveInstallation(t.app.db, app.app_id, workspace.id)
}

/** Waits until the deliverer has sent every queued callback (the server's own, running as in production). */
async function callbacksSettled(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const pending = await t.app.db.selectFrom('callback_deliveries').select('id').where('state', '=', 'pending').executeTakeFirst()
    if (!pending) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error('callbacks still pending')
}

// ---------------------------------------------------------------- Workspaces

test('Workspaces lists the signed-in person\'s workspaces with their role; someone in none is told how to join one', async () => {
  const slug = await newWorkspace('Reporting team')
  const alice = await get('alice', '/settings/workspaces')
  assert.equal(alice.statusCode, 200)
  assert.match(alice.body, /<h2 class="nav-group">Workspaces<\/h2>\s*<ul>\s*<li><a href="\/settings\/workspaces" aria-current="page">Your workspaces<\/a>/)
  assert.match(alice.body, new RegExp(`Reporting team<span class="cell-detail"><code>${slug}</code></span></th>\\s*<td><span class="badge admin">Owner</span>`))
  assert.match(alice.body, new RegExp(`href="${appsPath(slug)}"`))
  const bob = await get('bob', '/settings/workspaces')
  assert.match(bob.body, new RegExp(`<code>${slug}</code></span></th>\\s*<td><span class="muted">Member</span>`))
  const carol = await get('carol', '/settings/workspaces')
  assert.equal(carol.statusCode, 200)
  assert.match(carol.body, /You belong to no workspace yet/)
  assert.doesNotMatch(carol.body, new RegExp(slug))
  const signedOut = await t.app.inject({ method: 'GET', url: '/settings/workspaces' })
  assert.equal(signedOut.statusCode, 303)
  assert.match(signedOut.headers.location as string, /^\/login\?return_to=/)
})

test('an owner sees the install form: each app with its vendor and its permissions described, act_as_user as acting for members', async () => {
  await register('scoped-app', { scopes: ['account', 'repository', 'act_as_user'] })
  const slug = await newWorkspace()
  const page = await get('alice', appsPath(slug))
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /<h2 id="install-title">Install an app<\/h2>/)
  const choice = page.body.slice(page.body.indexOf('value="scoped-app"'))
  assert.match(choice, /<strong>Acme reports<\/strong> <span class="muted">by Acme<\/span>/)
  const account = t.app.apiDescription.scopes.find((s) => s.name === 'account')!
  assert.ok(choice.includes(`<li><span>${account.description}</span><span class="permission-meta"><code>account</code>`), 'the scope described as the catalogue describes it')
  assert.match(choice, /<li><span>Act on behalf of members of this workspace<\/span><span class="permission-meta"><code>act_as_user<\/code>/)
  assert.match(page.body, /No apps are installed in this workspace/)
})

test('installing from the page asks the app, then lists it with its state, installer and clientKey', async () => {
  await register('form-app')
  const slug = await newWorkspace()
  const installed = await post('alice', `${appsPath(slug)}/install`, { app: 'form-app' })
  assert.equal(installed.statusCode, 303)
  assert.equal(installed.headers.location, `${appsPath(slug)}?done=installed&app=form-app`)
  const row = await liveRow('form-app', slug)
  assert.equal(row?.state, 'installed')
  assert.ok(vendor.received.some((c) => c.path === '/installed' && c.body.clientKey === row.client_key), 'the app was sent its installed callback')

  const page = await get('alice', installed.headers.location as string)
  assert.match(page.body, /Acme reports is installed\./)
  assert.match(page.body, /<h3 id="installation-form-app">Acme reports<span class="cell-detail">by Acme<\/span><\/h3>\s*<div class="badges"><span class="badge ok">Installed<\/span>/)
  assert.match(page.body, new RegExp(`<dt>clientKey</dt><dd><code>${row.client_key}</code></dd>`))
  assert.match(page.body, /<dt>Installed<\/dt><dd><time [^>]+>[^<]+<\/time> by alice<\/dd>/)
  assert.match(page.body, new RegExp(`href="${modulePath(slug, 'form-app', 'overview')}">Overview`))
  assert.doesNotMatch(page.body.slice(page.body.indexOf('install-title')), /value="form-app"/, 'an installed app is no longer offered')

  const choose = await post('alice', `${appsPath(slug)}/install`, {})
  assert.equal(choose.statusCode, 400)
  assert.match(choose.body, /Choose the app to install/)
})

test('a refused install shows the app\'s answer, and leaves nothing installed', async () => {
  await register('refused-app')
  const slug = await newWorkspace()
  vendor.answer = 500
  const refused = await post('alice', `${appsPath(slug)}/install`, { app: 'refused-app' })
  assert.equal(refused.statusCode, 502)
  assert.match(refused.headers['content-type'] as string, /text\/html/)
  assert.match(refused.body, /<div class="notice error" role="alert"><p>Acme reports was not installed: its installed callback to http:\/\/127\.0\.0\.1:\d+\/installed did not succeed \([^)]*500[^)]*\)/)
  assert.match(refused.body, /value="refused-app" id="app-refused-app" aria-describedby="app-refused-app-scopes" checked/, 'the choice is kept for another try')
  assert.equal(await liveRow('refused-app', slug), undefined)
  const workspace = await t.app.db.selectFrom('workspaces').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()
  assert.deepEqual(await listInstallations(t.app.db, { workspaceId: workspace.id, includeEnded: true }), [])
})

test('a member sees the apps read-only and is refused every action with a 403 page; someone outside the workspace is told it is not theirs', async () => {
  await register('guarded-app')
  const slug = await newWorkspace()
  await installAs('guarded-app', slug)
  const page = await get('bob', appsPath(slug))
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /You are a member/)
  assert.match(page.body, /Only owners of this workspace install, disable and uninstall apps\. Ask alice\./)
  assert.doesNotMatch(page.body, /Install an app|<details class="menu"|\/guarded-app\/disable/)
  assert.match(page.body, new RegExp(`href="${modulePath(slug, 'guarded-app', 'overview')}"`), 'members open its pages')

  for (const [url, fields] of [[`${appsPath(slug)}/install`, { app: 'guarded-app' }], [`${appsPath(slug)}/guarded-app/disable`, {}], [`${appsPath(slug)}/guarded-app/uninstall`, {}], [`${appsPath(slug)}/guarded-app/rotate-secret`, {}]] as const) {
    const refused = await post('bob', url, fields)
    assert.equal(refused.statusCode, 403, url)
    assert.match(refused.body, /<h1 id="title">Workspace owners only<\/h1>/)
    assert.match(refused.body, new RegExp(`Only an owner of workspace ${slug}, or an administrator`))
  }
  assert.equal((await liveRow('guarded-app', slug))?.state, 'installed')

  const outsider = await get('carol', appsPath(slug))
  assert.equal(outsider.statusCode, 404)
  assert.match(outsider.body, new RegExp(`You are not a member of a workspace named &quot;${slug}&quot;`))
  assert.equal((await post('carol', `${appsPath(slug)}/guarded-app/uninstall`)).statusCode, 404)
  assert.equal((await post('carol', `${appsPath(slug)}/install`, { app: 'guarded-app' })).statusCode, 404)
  assert.equal((await get('carol', modulePath(slug, 'guarded-app', 'overview'))).statusCode, 404)
  assert.equal((await liveRow('guarded-app', slug))?.state, 'installed')

  const forged = await t.app.inject({ method: 'POST', url: `${appsPath(slug)}/guarded-app/uninstall`, cookies: (await as('alice')).jar, ...form({}, origin) })
  assert.equal(forged.statusCode, 403, 'no form token, no action')
  assert.equal((await liveRow('guarded-app', slug))?.state, 'installed')
})

test('an owner rotates the secret, disables, enables and uninstalls from the page, each with a notice; refusals show on the page', async () => {
  await register('managed-app')
  const slug = await newWorkspace()
  await installAs('managed-app', slug)
  const before = usableSharedSecrets(t.app.keyEncryption.keyring, (await liveRow('managed-app', slug))!, t.app.clock)

  const rotated = await post('alice', `${appsPath(slug)}/managed-app/rotate-secret`)
  assert.equal(rotated.statusCode, 303)
  assert.match((await get('alice', rotated.headers.location as string)).body, /Acme reports has a new shared secret/)
  const after = usableSharedSecrets(t.app.keyEncryption.keyring, (await liveRow('managed-app', slug))!, t.app.clock)
  assert.notEqual(after[0], before[0])
  assert.equal(after[1], before[0], 'the previous secret keeps working for a while')

  const disabled = await post('alice', `${appsPath(slug)}/managed-app/disable`)
  assert.equal(disabled.headers.location, `${appsPath(slug)}?done=disabled&app=managed-app`)
  const disabledPage = await get('alice', disabled.headers.location as string)
  assert.match(disabledPage.body, /Acme reports is disabled/)
  assert.match(disabledPage.body, /<span class="badge warn">Disabled<\/span>/)
  assert.match(disabledPage.body, /<button type="submit">Enable<\/button>/)
  assert.equal((await liveRow('managed-app', slug))?.state, 'disabled')

  const again = await post('alice', `${appsPath(slug)}/managed-app/disable`)
  assert.equal(again.statusCode, 409)
  assert.match(again.body, /<div class="notice error" role="alert"><p>managed-app is already disabled in team-\d+<\/p>/)

  await callbacksSettled()
  const enabled = await post('alice', `${appsPath(slug)}/managed-app/enable`)
  assert.match((await get('alice', enabled.headers.location as string)).body, /Acme reports is enabled again/)
  assert.equal((await liveRow('managed-app', slug))?.state, 'installed')

  const uninstalled = await post('alice', `${appsPath(slug)}/managed-app/uninstall`)
  const gone = await get('alice', uninstalled.headers.location as string)
  assert.match(gone.body, /Acme reports is uninstalled/)
  assert.match(gone.body, /No apps are installed in this workspace/)
  assert.equal(await liveRow('managed-app', slug), undefined)
  await callbacksSettled()
  assert.deepEqual(vendor.received.filter((c) => c.body.key === 'managed-app').map((c) => c.path), ['/installed', '/installed', '/disabled', '/enabled', '/uninstalled'])

  const missing = await post('alice', `${appsPath(slug)}/managed-app/disable`)
  assert.equal(missing.statusCode, 404)
  assert.match(missing.body, /<p>managed-app is not installed in team-\d+<\/p>/)
})

test('an administrator who is not a member manages any workspace\'s apps, but does not open their pages', async () => {
  await register('admin-app')
  const slug = await newWorkspace()
  const page = await get('root', appsPath(slug))
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /You are an administrator, not a member/)
  assert.match(page.body, /Install an app/)
  const installed = await post('root', `${appsPath(slug)}/install`, { app: 'admin-app' })
  assert.equal(installed.statusCode, 303)
  assert.equal((await liveRow('admin-app', slug))?.installed_by, ids.root)
  const module = await get('root', modulePath(slug, 'admin-app', 'overview'))
  assert.equal(module.statusCode, 403)
  assert.match(module.body, /Only members of workspace/)

  const admin = await get('root', `/settings/admin/workspaces/${slug}`)
  assert.match(admin.body, new RegExp(`<a class="button secondary small" href="${appsPath(slug)}">Installed apps<span class="visually-hidden"> of this workspace</span></a>`))
})

// ---------------------------------------------------------------- page modules

test('a page module is framed with a context JWT that verifies under the installation\'s shared secret, with the qsh of its URL; the CSP frames that origin on that page only', async () => {
  await register('framed-app', { modules: { pages: [{ key: 'overview', name: 'Overview', url: '/overview' }, { key: 'settings', name: 'Settings', url: '/pages/settings?tab=general&x=a%20b' }] } })
  const slug = await newWorkspace()
  await installAs('framed-app', slug)
  const row = (await liveRow('framed-app', slug))!
  const [secret] = usableSharedSecrets(t.app.keyEncryption.keyring, row, t.app.clock)

  for (const [module, path] of [['overview', '/overview'], ['settings', '/pages/settings?tab=general&x=a%20b']] as const) {
    const page = await get('bob', modulePath(slug, 'framed-app', module))
    assert.equal(page.statusCode, 200, module)
    const csp = page.headers['content-security-policy'] as string
    assert.match(csp, new RegExp(`frame-src 'self' ${vendor.baseUrl.replace(/\./g, '\\.')}(;|$)`))
    assert.match(csp, /default-src 'self'/, 'the rest of the policy stays')
    const src = /<iframe src="([^"]+)" title="Acme reports: [^"]+"/.exec(page.body)?.[1].replace(/&amp;/g, '&')
    assert.ok(src, 'an iframe')
    const url = new URL(src)
    assert.equal(url.origin, vendor.baseUrl)
    const token = url.searchParams.get('jwt')!
    const unsigned = `${vendor.baseUrl}${path}`
    assert.equal(src, `${unsigned}${path.includes('?') ? '&' : '?'}jwt=${token}`)
    assert.equal(decodeProtectedHeader(token).alg, 'HS256')
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'], issuer: row.client_key, audience: 'framed-app', subject: ids.bob, currentDate: new Date(t.app.clock.now()) })
    assert.equal(payload.exp! - payload.iat!, 180)
    assert.equal(payload.qsh, queryStringHash({ method: 'GET', url: src, baseUrl: vendor.baseUrl }), 'the qsh is of the URL as framed (jwt is never hashed)')
    assert.equal(payload.qsh, queryStringHash({ method: 'GET', url: path, baseUrl: '' }))
  }
  const other = await get('bob', appsPath(slug))
  assert.doesNotMatch(other.headers['content-security-policy'] as string, /frame-src/)
  assert.doesNotMatch((await get('bob', '/settings/workspaces')).headers['content-security-policy'] as string, new RegExp(vendor.baseUrl))

  assert.equal((await get('bob', modulePath(slug, 'framed-app', 'nowhere'))).statusCode, 404)
  assert.equal((await get('bob', modulePath(slug, 'not-installed', 'overview'))).statusCode, 404)
  await post('alice', `${appsPath(slug)}/framed-app/disable`)
  const disabled = await get('bob', modulePath(slug, 'framed-app', 'overview'))
  assert.equal(disabled.statusCode, 409)
  assert.match(disabled.body, /Acme reports is disabled in team-\d+, so its pages are not shown/)
  assert.doesNotMatch(disabled.body, /<iframe/)
  await callbacksSettled()
})

// ---------------------------------------------------------------- Developer → Installed apps

test('a vendor registers a descriptor by pasting it; every problem is listed by field, and what was typed comes back', async () => {
  const bad = JSON.stringify(vendor.descriptor({ key: 'Bad Key', scopes: ['everything'], modules: { pages: [] } }))
  const refused = await post('acme', '/settings/developer/installed-apps', { json: bad })
  assert.equal(refused.statusCode, 400)
  assert.match(refused.body, /The descriptor was not registered: 3 fields need fixing\./)
  assert.match(refused.body, /<li><code>key<\/code>: expected lower-case letters/)
  assert.match(refused.body, /<li><code>scopes\[0\]<\/code>: expected/)
  assert.match(refused.body, /<li><code>modules\.pages<\/code>: expected a list with at least one page module/)
  assert.match(refused.body, /&quot;Bad Key&quot;/, 'the pasted JSON is kept')

  const notJson = await post('acme', '/settings/developer/installed-apps', { json: '{ nope' })
  assert.equal(notJson.statusCode, 400)
  assert.match(notJson.body, /The pasted descriptor is not JSON/)
  const both = await post('acme', '/settings/developer/installed-apps', { json: '{}', url: 'https://x.example/d.json' })
  assert.match(both.body, /Give the descriptor&#39;s URL or paste its JSON, not both/)
  const neither = await post('acme', '/settings/developer/installed-apps', {})
  assert.match(neither.body, /Give the descriptor&#39;s URL, or paste its JSON/)

  const registered = await post('acme', '/settings/developer/installed-apps', { json: JSON.stringify(vendor.descriptor({ key: 'pasted-app' })) })
  assert.equal(registered.statusCode, 303)
  assert.equal(registered.headers.location, '/settings/developer/installed-apps/pasted-app?done=registered')
  const page = await get('acme', registered.headers.location as string)
  assert.match(page.body, /The app is registered/)
  assert.match(page.body, /<dt>Source<\/dt><dd><span class="muted">Pasted or a file/)
  assert.doesNotMatch(page.body, /Update from URL/)

  const taken = await post('bob', '/settings/developer/installed-apps', { json: JSON.stringify(vendor.descriptor({ key: 'pasted-app' })) })
  assert.equal(taken.statusCode, 403)
  assert.match(taken.body, /The app &quot;pasted-app&quot; is published by acme; only its owner or an administrator may update its descriptor/)
})

test('a descriptor registered from its URL is updated from it: a new version; an unreachable URL says why', async () => {
  vendor.serveDescriptor(vendor.descriptor({ key: 'url-app' }))
  const registered = await post('acme', '/settings/developer/installed-apps', { url: `${vendor.baseUrl}/descriptor.json` })
  assert.equal(registered.headers.location, '/settings/developer/installed-apps/url-app?done=registered')
  const page = await get('acme', '/settings/developer/installed-apps/url-app')
  assert.match(page.body, /<button type="submit" class="secondary">Update from URL<\/button>/)
  assert.match(page.body, /version 1\./)

  const same = await post('acme', '/settings/developer/installed-apps/url-app/refresh')
  assert.equal(same.headers.location, '/settings/developer/installed-apps/url-app?done=unchanged')
  // Bob uses the app in his workspace, and approved it; the new version asks for more, with a 14-day grace period.
  const slug = await newWorkspace()
  await installAs('url-app', slug)
  const { decide, listDecisionsOfUser } = await import('../../src/consent/decisions.service.js')
  const appId = (await t.app.db.selectFrom('apps').select('id').where('client_id', '=', 'url-app').executeTakeFirstOrThrow()).id
  await decide(t.app.consent, { userId: ids.bob, app: { id: appId, ownerId: ids.acme }, installationId: null, perInstallation: false, decision: 'allow', scopes: ['account', 'repository'] })
  vendor.serveDescriptor(vendor.descriptor({ key: 'url-app', scopes: ['account', 'repository', 'issue'] }))
  const updated = await post('acme', '/settings/developer/installed-apps/url-app/refresh', { reconsent_grace: '14' })
  assert.equal(updated.headers.location, '/settings/developer/installed-apps/url-app?done=updated')
  const newer = await get('acme', updated.headers.location as string)
  assert.match(newer.body, /The descriptor is updated: this is a new version/)
  assert.match(newer.body, /version 2\./)
  assert.match(newer.body, /<code>issue<\/code>/)
  const [approval] = await listDecisionsOfUser(t.app.db, ids.bob)
  assert.ok(approval.graceEndsAt !== null, "bob's approval keeps working for the grace period")
  assert.match(newer.body, new RegExp(`Approvals of the new permissions[\\s\\S]*<td>${slug}</td><td>0</td><td>1</td>`))

  vendor.serveDescriptor({}, 404)
  const unreachable = await post('acme', '/settings/developer/installed-apps/url-app/refresh')
  assert.equal(unreachable.statusCode, 400)
  assert.match(unreachable.body, /Cannot fetch the descriptor from http:\/\/127\.0\.0\.1:\d+\/descriptor\.json: it answered 404/)
  vendor.serveDescriptor({ ...vendor.descriptor({ key: 'url-app' }), baseUrl: 'ftp://x' })
  const invalid = await post('acme', '/settings/developer/installed-apps/url-app/refresh')
  assert.match(invalid.body, /<li><code>baseUrl<\/code>: expected/)

  assert.equal((await post('bob', '/settings/developer/installed-apps/url-app/refresh')).statusCode, 404)
})

test('an app\'s page shows its installations with their identifiers and lineage, the callback log and its enforcement reports; only its owner and administrators see it', async () => {
  const { app } = await register('logged-app')
  const slug = await newWorkspace()
  const { installation } = await installAs('logged-app', slug)
  await t.app.db.updateTable('installations').set({ previous_client_key: 'earlier-client-key' }).where('id', '=', installation.id).execute()
  await post('alice', `${appsPath(slug)}/logged-app/disable`)
  await callbacksSettled()
  await recordReport({ db: t.app.db, clock: t.app.clock }, {
    enforcement: 'stale-oauth-client-id',
    appId: app.appId,
    installationId: installation.id,
    detail: { staleOauthClientId: 'old-oauth-id', currentOauthClientId: installation.oauthClientId, grantType: 'urn:ietf:params:oauth:grant-type:jwt-bearer' },
  })

  const page = await get('acme', '/settings/developer/installed-apps/logged-app')
  assert.equal(page.statusCode, 200)
  const installations = page.body.slice(page.body.indexOf('id="installations-title"'), page.body.indexOf('id="deliveries-title"'))
  assert.match(installations, new RegExp(`<td><span class="badge warn">Disabled</span></td>\\s*<td><code>${installation.clientKey}</code></td>\\s*<td><code>${installation.oauthClientId}</code></td>\\s*<td><code>earlier-client-key</code></td>`))
  const deliveries = page.body.slice(page.body.indexOf('id="deliveries-title"'), page.body.indexOf('id="reports-title"'))
  assert.match(deliveries, /<code>disabled<\/code>[\s\S]*<span class="badge ok">Delivered<\/span>[\s\S]*<code>installed<\/code>/)
  assert.match(deliveries, /<td class="numeric">1<\/td>\s*<td class="last-answer"><code>204<\/code><\/td>/)
  const reports = page.body.slice(page.body.indexOf('<h2 id="reports-title">Enforcement reports'))
  assert.match(reports, new RegExp(`oauthClientId <code>old-oauth-id</code> is stale; use <code>${installation.oauthClientId}</code>`))
  assert.match(reports, new RegExp(`${slug}<span class="cell-detail"><code>${installation.clientKey}</code>`))

  const list = await get('acme', '/settings/developer/installed-apps')
  assert.match(list.body, /href="\/settings\/developer\/installed-apps\/logged-app">Acme reports<\/a>/)
  assert.doesNotMatch(list.body, /<th scope="col" class="hide-narrow">Owner<\/th>/)
  assert.doesNotMatch((await get('bob', '/settings/developer/installed-apps')).body, /logged-app/)
  const other = await get('bob', '/settings/developer/installed-apps/logged-app')
  assert.equal(other.statusCode, 404)
  assert.match(other.body, /You publish no installed app with the key &quot;logged-app&quot;/)
  const admin = await get('root', '/settings/developer/installed-apps')
  assert.match(admin.body, /<th scope="col" class="hide-narrow">Owner<\/th>/)
  assert.match(admin.body, /logged-app/)
  assert.equal((await get('root', '/settings/developer/installed-apps/logged-app')).statusCode, 200)
})

// ---------------------------------------------------------------- Admin → Enforcements

test('administrators set an enforcement\'s mode, percentage and cohort from the admin page, and see who changed what; anyone else gets 403', async () => {
  const refused = await get('alice', '/settings/admin/enforcements')
  assert.equal(refused.statusCode, 403)
  assert.match(refused.body, /Administrators only/)
  assert.equal((await post('alice', '/settings/admin/enforcements/stale-oauth-client-id', { mode: 'enforce', percent: '100' })).statusCode, 403)

  const page = await get('root', '/settings/admin/enforcements')
  assert.equal(page.statusCode, 200)
  assert.match(page.body, /<h2 id="enforcement-stale-oauth-client-id-title">stale-oauth-client-id<\/h2>/)
  assert.match(page.body, /<a href="\/settings\/admin\/enforcements" aria-current="page">Enforcements<\/a>/)

  const bad = await post('root', '/settings/admin/enforcements/stale-oauth-client-id', { mode: 'report-only', percent: '150', cohort: '' })
  assert.equal(bad.statusCode, 400)
  assert.match(bad.body, /&quot;150&quot; is more than 100%/)
  assert.match(bad.body, /value="150"/, 'what was typed comes back')
  const cohort = await post('root', '/settings/admin/enforcements/stale-oauth-client-id', { mode: 'report-only', percent: '5', cohort: 'acme-reports' })
  assert.equal(cohort.statusCode, 400)
  assert.match(cohort.body, /is not a cohort member; write app:&lt;key&gt; or workspace:&lt;slug&gt;/)
  assert.equal((await post('root', '/settings/admin/enforcements/no-such-thing', { mode: 'off' })).statusCode, 400)

  const saved = await post('root', '/settings/admin/enforcements/stale-oauth-client-id', { mode: 'report-only', percent: '5', cohort: 'app:acme-reports\r\nworkspace:nowhere' })
  assert.equal(saved.statusCode, 303)
  const after = await get('root', saved.headers.location as string)
  assert.match(after.body, /stale-oauth-client-id is saved: report-only, for 5% of apps and 2 in the cohort\./)
  assert.match(after.body, /Note: app:acme-reports, workspace:nowhere name nothing registered yet\./)
  assert.match(after.body, /<dt>Mode<\/dt><dd><span class="badge warn">Report only<\/span><\/dd>/)
  assert.match(after.body, /<td>root<\/td>\s*<td><span class="badge warn">Report only<\/span><\/td>\s*<td class="numeric">5%<\/td>\s*<td>app:acme-reports, workspace:nowhere<\/td>/)
  assert.match(after.body, /<input type="radio" name="mode" value="report-only" checked>/)
})
