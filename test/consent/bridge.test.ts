import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { decodeJwt } from 'jose'
import { revokeDecision } from '../../src/consent/decisions.service.js'
import { EXPLICIT_CONSENT_FLAG, EXPLICIT_CONSENT_VENDOR_FLAG, setFlag } from '../../src/labs/index.js'
import { createWorkspace } from '../../src/platform/index.js'
import type { TestApp } from '../support/app.js'
import { addDescriptorApp, installApp, setInstallationState, type DescriptorApp, type InstalledAppFixture } from '../support/installed-app.js'
import { insertUser, signIn, signedInCsrf, startWebApp } from '../web/fixtures.js'

// The request bridge's endpoints, over HTTP: what the host page of a page module asks
// (/connect/bridge/token, /connect/bridge/decision), who may ask, the three outcomes, and the tokens
// behind them; the scripts it serves; the page itself, at its new address.

const SERVER = { issuer: 'http://127.0.0.1:8080', audience: 'http://127.0.0.1:8080/2.0' }
const ORIGIN = SERVER.issuer
const SCOPES = ['account', 'repository']

interface Browser {
  jar: Record<string, string>
  csrf: string
}

interface Fixture {
  t: TestApp
  ids: Record<string, string>
  as(username: string): Promise<Browser>
  newWorkspace(members: string[]): Promise<{ id: string; slug: string }>
  newApp(key: string, options?: { owner?: string; perInstallation?: boolean; scopes?: string[] }): Promise<DescriptorApp>
}

let counter = 0

async function fixture(config: Record<string, unknown> = {}): Promise<Fixture> {
  const t = await startWebApp({ ...SERVER, ...config })
  const ids: Record<string, string> = {}
  for (const name of ['vendor', 'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'outsider']) ids[name] = (await insertUser(t.app, name)).id
  const browsers = new Map<string, Browser>()
  return {
    t,
    ids,
    async as(username) {
      let browser = browsers.get(username)
      if (!browser) {
        const jar = await signIn(t.app, username)
        browser = { jar, csrf: await signedInCsrf(t.app, jar) }
        browsers.set(username, browser)
      }
      return browser
    },
    async newWorkspace(members) {
      const slug = `team-${++counter}`
      const workspace = await createWorkspace(t.app.db, t.app.clock, { slug, name: `Team ${counter}`, members: members.map((name, i) => ({ userId: ids[name], role: i === 0 ? 'owner' : 'member' })) })
      return { id: workspace.id, slug }
    },
    async newApp(key, options = {}) {
      const app = await addDescriptorApp(t.app, key, options.scopes ?? SCOPES, ids[options.owner ?? 'vendor'])
      if (options.perInstallation) {
        const row = await t.app.db.selectFrom('descriptors').select('document').where('app_id', '=', app.id).executeTakeFirstOrThrow()
        const document = { ...JSON.parse(row.document), approval: 'per-installation', vendor: { name: 'Classic Co' } }
        await t.app.db.updateTable('descriptors').set({ document: JSON.stringify(document) }).where('app_id', '=', app.id).execute()
      }
      return app
    },
  }
}

function ask(f: Fixture, username: string, installation: Pick<InstalledAppFixture, 'workspaceSlug' | 'app'>, path = 'token', fields: Record<string, unknown> = {}, headers: Record<string, string> = { origin: ORIGIN }) {
  return f.as(username).then((b) =>
    f.t.app.inject({
      method: 'POST',
      url: `/connect/bridge/${path}`,
      cookies: b.jar,
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify({ workspace: installation.workspaceSlug, app: installation.app.key, csrf_token: b.csrf, ...fields }),
    }),
  )
}

const decide = (f: Fixture, username: string, installation: InstalledAppFixture, decision: 'allow' | 'deny', scopes = SCOPES) => ask(f, username, installation, 'decision', { decision, scopes })

function grantOf(f: Fixture, accessToken: string) {
  return f.t.app.db.selectFrom('grants').selectAll().where('id', '=', decodeJwt(accessToken).gid as string).executeTakeFirstOrThrow()
}

function api(f: Fixture, accessToken: string) {
  return f.t.app.inject({ method: 'GET', url: '/2.0/user', headers: { authorization: `Bearer ${accessToken}` } })
}

function json(response: LightMyRequestResponse) {
  return response.json() as { outcome: string; token?: { accessToken: string; expiresIn: number; scope: string }; message?: string; consent?: { app: { key: string; name: string; vendor: string | null }; workspace: { slug: string; name: string }; scopes: { name: string; description: string }[]; remembered: string } }
}

describe('the request bridge (GATEHOUSE_EXPLICIT_CONSENT=on)', () => {
  let f: Fixture
  before(async () => {
    f = await fixture({ consentTimeoutSeconds: 7 })
  })
  after(async () => {
    await f?.t.close()
  })

  test('/connect/all.js is served for other origins\' pages (CORP cross-origin), cached and revalidated; the host page\'s script and stylesheet are same-origin assets', async () => {
    const script = await f.t.app.inject({ method: 'GET', url: '/connect/all.js' })
    assert.equal(script.statusCode, 200)
    assert.match(script.headers['content-type'] as string, /^text\/javascript/)
    assert.equal(script.headers['cross-origin-resource-policy'], 'cross-origin')
    assert.equal(script.headers['cache-control'], 'public, max-age=3600')
    assert.match(script.body, /AP\.request|request: request/)
    assert.match(script.body, /USER_DENIED_ACCESS|NOT_EMBEDDED/)
    const again = await f.t.app.inject({ method: 'GET', url: '/connect/all.js', headers: { 'if-none-match': script.headers.etag as string } })
    assert.equal(again.statusCode, 304)
    for (const path of ['/assets/gatehouse-bridge.js', '/assets/gatehouse-bridge.css']) {
      const asset = await f.t.app.inject({ method: 'GET', url: path })
      assert.equal(asset.statusCode, 200, path)
      assert.equal(asset.headers['cross-origin-resource-policy'], 'same-origin', path)
    }
  })

  test('a page module is shown at /workspaces/{slug}/apps/{app}/{module} with the bridge: the installation in data attributes, the dialog, the script; its CSP reaches the app\'s origin; the old address redirects', async () => {
    const workspace = await f.newWorkspace(['alice', 'bob'])
    const app = await f.newApp('page-app')
    await installApp(f.t.app, app, workspace)
    const { jar } = await f.as('bob')
    const path = `/workspaces/${workspace.slug}/apps/page-app/overview`
    const page = await f.t.app.inject({ method: 'GET', url: path, cookies: jar })
    assert.equal(page.statusCode, 200)
    assert.match(page.body, new RegExp(`data-bridge-app="page-app" data-bridge-app-name="App page-app" data-bridge-workspace="${workspace.slug}" data-bridge-app-origin="https://page-app.example" data-bridge-app-base-url="https://page-app.example" data-bridge-opaque="false" data-bridge-csrf="[A-Za-z0-9_-]{43}" data-bridge-timeout="7" data-bridge-manage="/account/app-authorizations"`))
    assert.match(page.body, /<dialog id="bridge-consent" class="bridge-consent" aria-labelledby="bridge-consent-title"/)
    assert.match(page.body, /Allow <span class="app-name">App page-app<\/span> to use Gatehouse as you\?/)
    assert.match(page.body, /Without an answer within 7 seconds, the request fails/)
    assert.match(page.body, /<button type="button" class="primary" data-decision="allow">Allow<\/button>/)
    assert.match(page.body, /<script src="\/assets\/gatehouse-bridge.js" defer><\/script>/)
    assert.match(page.body, /<div id="bridge-status" class="bridge-status" role="status"><\/div>/)
    const csp = page.headers['content-security-policy'] as string
    assert.match(csp, /frame-src 'self' https:\/\/page-app\.example(;|$)/)
    assert.match(csp, /connect-src 'self' https:\/\/page-app\.example(;|$)/)
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline script')

    const old = await f.t.app.inject({ method: 'GET', url: `/settings/workspaces/${workspace.slug}/apps/page-app/overview`, cookies: jar })
    assert.equal(old.statusCode, 301)
    assert.equal(old.headers.location, path)
    const apps = await f.t.app.inject({ method: 'GET', url: `/settings/workspaces/${workspace.slug}/apps`, cookies: jar })
    assert.match(apps.body, new RegExp(`<a href="${path}">Overview`), 'the workspace page links the new address')
  })

  test('the endpoints need the session (401 JSON, no redirect), the page\'s CSRF token and a same-origin request (403), and an installation the user may use (404 outside the workspace, 403 for a non-member administrator, 409 disabled)', async () => {
    const workspace = await f.newWorkspace(['alice', 'bob'])
    const app = await f.newApp('guarded-bridge')
    const installation = await installApp(f.t.app, app, workspace)

    const signedOut = await f.t.app.inject({ method: 'POST', url: '/connect/bridge/token', headers: { 'content-type': 'application/json', origin: ORIGIN }, payload: JSON.stringify({ workspace: workspace.slug, app: app.key }) })
    assert.equal(signedOut.statusCode, 401)
    assert.equal(signedOut.json().error.code, 'ERR_UNAUTHENTICATED')

    const noCsrf = await ask(f, 'bob', installation, 'token', { csrf_token: undefined })
    assert.equal(noCsrf.statusCode, 403)
    const wrongCsrf = await ask(f, 'bob', installation, 'token', { csrf_token: 'x'.repeat(43) })
    assert.equal(wrongCsrf.statusCode, 403)
    const otherSite = await ask(f, 'bob', installation, 'token', {}, { origin: 'https://evil.example' })
    assert.equal(otherSite.statusCode, 403)
    const framedSite = await ask(f, 'bob', installation, 'token', {}, { origin: 'null' })
    assert.equal(framedSite.statusCode, 403, 'a sandboxed frame (an opaque origin) is another site')
    const crossSite = await ask(f, 'bob', installation, 'token', {}, { 'sec-fetch-site': 'cross-site' })
    assert.equal(crossSite.statusCode, 403)
    for (const refused of [noCsrf, wrongCsrf, otherSite, framedSite, crossSite]) assert.equal(refused.json().error.code, 'ERR_FORBIDDEN')

    const outsider = await ask(f, 'outsider', installation)
    assert.equal(outsider.statusCode, 404)
    assert.match(outsider.json().error.message, /not a member of a workspace named/)
    await f.t.app.db.updateTable('users').set({ is_admin: 1 }).where('id', '=', f.ids.carol).execute()
    const admin = await ask(f, 'carol', installation)
    assert.equal(admin.statusCode, 403)
    assert.match(admin.json().error.message, /Only members of workspace/)
    const notInstalled = await ask(f, 'bob', { workspaceSlug: workspace.slug, app: { id: 'x', key: 'not-installed' } })
    assert.equal(notInstalled.statusCode, 404)
    await setInstallationState(f.t.app, installation, 'disabled')
    const disabled = await ask(f, 'bob', installation)
    assert.equal(disabled.statusCode, 409)
    assert.match(disabled.json().error.message, /is disabled in/)
    const malformed = await ask(f, 'bob', installation, 'decision', { decision: 'maybe', scopes: SCOPES })
    assert.equal(malformed.statusCode, 400)
    assert.equal(await f.t.app.db.selectFrom('grants').select('id').where('app_id', '=', app.id).executeTakeFirst(), undefined, 'no token was issued')
  })

  test('no decision: the answer is a question (app, vendor, workspace, each scope described); Allow records it and returns a token acting as the user, a grant of kind embedded with the installation; later requests get a token without asking', async () => {
    const workspace = await f.newWorkspace(['alice', 'bob'])
    const app = await f.newApp('asking-app')
    const installation = await installApp(f.t.app, app, workspace)

    const first = await ask(f, 'bob', installation)
    assert.equal(first.statusCode, 200)
    assert.equal(first.headers['cache-control'], 'no-store')
    const question = json(first)
    assert.equal(question.outcome, 'ask')
    assert.equal(question.token, undefined, 'no token before Allow')
    assert.deepEqual(question.consent!.app, { key: 'asking-app', name: 'App asking-app', vendor: null })
    assert.deepEqual(question.consent!.workspace, { slug: workspace.slug, name: workspace.slug.replace('team-', 'Team ') })
    assert.deepEqual(question.consent!.scopes.map((s) => s.name), SCOPES)
    assert.ok(question.consent!.scopes.every((s) => s.description.length > 0 && s.description !== s.name), 'each scope in plain language')
    assert.equal(question.consent!.remembered, 'app')
    assert.equal(await f.t.app.db.selectFrom('grants').select('id').where('app_id', '=', app.id).executeTakeFirst(), undefined)

    const allowed = json(await decide(f, 'bob', installation, 'allow'))
    assert.equal(allowed.outcome, 'allow')
    const { accessToken, scope, expiresIn } = allowed.token!
    assert.equal(scope, 'account repository')
    assert.equal(expiresIn, 3600)
    const claims = decodeJwt(accessToken)
    assert.equal(claims.sub, f.ids.bob)
    assert.equal(claims.client_id, 'asking-app')
    const grant = await grantOf(f, accessToken)
    assert.equal(grant.kind, 'embedded')
    assert.equal(grant.installation_id, installation.installationId)
    assert.equal(grant.user_id, f.ids.bob)
    const me = await api(f, accessToken)
    assert.equal(me.statusCode, 200)
    assert.equal(me.json().username, 'bob')

    const decision = await f.t.app.db.selectFrom('consent_decisions').selectAll().where('app_id', '=', app.id).executeTakeFirstOrThrow()
    assert.equal(decision.decision, 'allow')
    assert.equal(decision.user_id, f.ids.bob)
    assert.equal(decision.installation_id, null, 'a shared app: one approval for every installation')
    assert.notEqual(decision.last_used_at, null)

    const later = json(await ask(f, 'bob', installation))
    assert.equal(later.outcome, 'allow')
    assert.equal((await grantOf(f, later.token!.accessToken)).kind, 'embedded')
    assert.equal(json(await ask(f, 'alice', installation)).outcome, 'ask', 'the decision is bob\'s alone')
  })

  test('Deny is recorded: the answer is a denial, and every later request too, without a question; no token is issued', async () => {
    const workspace = await f.newWorkspace(['alice', 'bob'])
    const app = await f.newApp('denied-app')
    const installation = await installApp(f.t.app, app, workspace)
    assert.equal(json(await ask(f, 'bob', installation)).outcome, 'ask')
    const denied = json(await decide(f, 'bob', installation, 'deny'))
    assert.equal(denied.outcome, 'deny')
    assert.equal(denied.token, undefined)
    for (let i = 0; i < 2; i++) {
      const again = json(await ask(f, 'bob', installation))
      assert.equal(again.outcome, 'deny')
      assert.match(again.message!, /You denied App denied-app access to Gatehouse as you; it is refused until you lift the denial in App authorizations/)
    }
    assert.equal(await f.t.app.db.selectFrom('grants').select('id').where('app_id', '=', app.id).executeTakeFirst(), undefined)
  })

  test('revoking the approval revokes the tokens the bridge issued under it, and the next request asks again', async () => {
    const workspace = await f.newWorkspace(['alice', 'bob'])
    const app = await f.newApp('revoked-app')
    const installation = await installApp(f.t.app, app, workspace)
    const { token } = json(await decide(f, 'bob', installation, 'allow'))
    const { token: second } = json(await ask(f, 'bob', installation))
    for (const issued of [token!, second!]) assert.equal((await api(f, issued.accessToken)).statusCode, 200)

    const decision = await f.t.app.db.selectFrom('consent_decisions').select('id').where('app_id', '=', app.id).executeTakeFirstOrThrow()
    const { ended, revokedGrants } = await revokeDecision(f.t.app.consent, f.ids.bob, decision.id)
    assert.equal(ended, 'approval')
    assert.equal(revokedGrants, 2)
    for (const issued of [token!, second!]) {
      assert.notEqual((await grantOf(f, issued.accessToken)).revoked_at, null)
      const refused = await api(f, issued.accessToken)
      assert.equal(refused.statusCode, 401)
      assert.match(refused.headers['www-authenticate'] as string, /invalid_token/)
    }
    assert.equal(json(await ask(f, 'bob', installation)).outcome, 'ask')
  })

  test('a shared app\'s approval holds in every workspace where it is installed; a classic add-on (approval per installation) asks again in each', async () => {
    const one = await f.newWorkspace(['alice', 'bob'])
    const two = await f.newWorkspace(['alice', 'bob'])
    const shared = await f.newApp('shared-bridge')
    const sharedOne = await installApp(f.t.app, shared, one)
    const sharedTwo = await installApp(f.t.app, shared, two)
    await decide(f, 'bob', sharedOne, 'allow')
    assert.equal(json(await ask(f, 'bob', sharedTwo)).outcome, 'allow')

    const classic = await f.newApp('classic-bridge', { perInstallation: true })
    const classicOne = await installApp(f.t.app, classic, one)
    const classicTwo = await installApp(f.t.app, classic, two)
    const question = json(await ask(f, 'bob', classicOne))
    assert.equal(question.consent!.remembered, 'installation')
    assert.equal(question.consent!.app.vendor, 'Classic Co')
    const { token } = json(await decide(f, 'bob', classicOne, 'allow'))
    assert.equal((await grantOf(f, token!.accessToken)).installation_id, classicOne.installationId)
    const decision = await f.t.app.db.selectFrom('consent_decisions').selectAll().where('app_id', '=', classic.id).executeTakeFirstOrThrow()
    assert.equal(decision.installation_id, classicOne.installationId)
    assert.equal(json(await ask(f, 'bob', classicOne)).outcome, 'allow')
    assert.equal(json(await ask(f, 'bob', classicTwo)).outcome, 'ask', 'the same add-on in another workspace is approved apart')
    await decide(f, 'bob', classicTwo, 'deny')
    assert.equal(json(await ask(f, 'bob', classicTwo)).outcome, 'deny')
    assert.match(json(await ask(f, 'bob', classicTwo)).message!, new RegExp(`You denied App classic-bridge in Team \\d+ access`))
    assert.equal(json(await ask(f, 'bob', classicOne)).outcome, 'allow', 'a denial in one workspace leaves the other alone')
  })

  test('a personal app (its vendor is the user) never asks', async () => {
    const workspace = await f.newWorkspace(['dave', 'erin'])
    const app = await f.newApp('personal-bridge', { owner: 'dave' })
    const installation = await installApp(f.t.app, app, workspace)
    const answer = json(await ask(f, 'dave', installation))
    assert.equal(answer.outcome, 'allow')
    assert.equal((await grantOf(f, answer.token!.accessToken)).kind, 'embedded')
    assert.equal(json(await ask(f, 'erin', installation)).outcome, 'ask', 'anyone else is asked')
  })

  test('an approval holds what the dialog showed: an answer for other scopes than the app asks for now is answered with the question again, and nothing is recorded', async () => {
    const workspace = await f.newWorkspace(['alice', 'bob'])
    const app = await f.newApp('changed-bridge')
    const installation = await installApp(f.t.app, app, workspace)
    const stale = json(await decide(f, 'bob', installation, 'allow', ['account']))
    assert.equal(stale.outcome, 'ask')
    assert.deepEqual(stale.consent!.scopes.map((s) => s.name), SCOPES)
    assert.equal(await f.t.app.db.selectFrom('consent_decisions').select('id').where('app_id', '=', app.id).executeTakeFirst(), undefined)
    assert.equal(json(await decide(f, 'bob', installation, 'allow', ['repository', 'account'])).outcome, 'allow', 'in any order')
  })
})

describe('the request bridge in labs mode (GATEHOUSE_EXPLICIT_CONSENT=labs)', () => {
  let f: Fixture
  before(async () => {
    f = await fixture({ explicitConsent: 'labs' })
  })
  after(async () => {
    await f?.t.close()
  })

  test('without both flags, the legacy behaviour: a token without asking; with the vendor\'s and the user\'s flags, the user is asked', async () => {
    const workspace = await f.newWorkspace(['alice', 'bob', 'carol'])
    const app = await f.newApp('labs-bridge')
    const installation = await installApp(f.t.app, app, workspace)
    const legacy = json(await ask(f, 'bob', installation))
    assert.equal(legacy.outcome, 'allow')
    assert.equal((await grantOf(f, legacy.token!.accessToken)).kind, 'embedded')

    const deps = { db: f.t.app.db, clock: f.t.app.clock }
    await setFlag(deps, f.ids.bob, EXPLICIT_CONSENT_FLAG, true)
    assert.equal(json(await ask(f, 'bob', installation)).outcome, 'allow', 'the user\'s flag alone changes nothing')
    await setFlag(deps, f.ids.vendor, EXPLICIT_CONSENT_VENDOR_FLAG, true)
    assert.equal(json(await ask(f, 'bob', installation)).outcome, 'ask')
    assert.equal(json(await ask(f, 'carol', installation)).outcome, 'allow', 'a user without the flag keeps the legacy behaviour')
  })
})
