import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { bucket, type CohortMember, type EnforcementMode } from '../../src/domain/rollout.js'
import { setEnforcement, STALE_OAUTH_CLIENT_ID } from '../../src/installations/enforcements.service.js'
import { createWorkspace } from '../../src/platform/index.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { addDescriptorApp, allowApp, appJwt, endInstallation, impersonationAssertion, installApp, type DescriptorApp, type InstalledAppFixture } from '../support/installed-app.js'
import { TestClock } from '../oauth/fixtures.js'
import { makeCaller } from '../platform/fixtures.js'

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
const APP_KEY = 'acme-helper'

let t: TestApp
let clock: TestClock
let helper: DescriptorApp

before(async () => {
  clock = new TestClock()
  t = await startTestApp({}, { clock })
  helper = await addDescriptorApp(t.app, APP_KEY, ['account', 'workspace', 'act_as_user'])
})
after(() => t.close())

interface Reinstalled {
  stale: InstalledAppFixture
  current: InstalledAppFixture
  userId: string
}

/** A workspace with a person in it, where the app was installed, uninstalled (or removed by an import) and installed again. */
async function reinstalled(slug: string, how: 'uninstalled' | 'removed' = 'uninstalled'): Promise<Reinstalled> {
  const person = await makeCaller(t.app, `${slug}-user`)
  const workspace = await createWorkspace(t.app.db, t.app.clock, { slug, members: [{ userId: person.id, role: 'member' }] })
  const stale = await installApp(t.app, helper, workspace)
  await endInstallation(t.app, stale, how)
  // A reinstall keeps the clientKey (same tenant); an import made a new tenant, so a new one.
  const current = await installApp(t.app, helper, workspace, how === 'uninstalled' ? { clientKey: stale.clientKey } : {})
  // The person has allowed the app to act for them (consent), so only the identifier is in question.
  await allowApp(t.app, helper, person.id, ['account', 'workspace'])
  return { stale, current, userId: person.id }
}

/** The stale oauthClientId, signed with the current installation's secret: what an app that kept the old id sends. */
async function withStaleId({ stale, current, userId }: Reinstalled) {
  const assertion = await impersonationAssertion(t.app, current, { userId, oauthClientId: stale.oauthClientId })
  const response = await t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: JWT_BEARER, assertion }).toString(),
  })
  return { status: response.statusCode, body: response.json() }
}

async function enforce(mode: EnforcementMode, { percent = 0, cohort = [] }: { percent?: number; cohort?: CohortMember[] } = {}): Promise<void> {
  await setEnforcement({ db: t.app.db, clock: t.app.clock }, STALE_OAUTH_CLIENT_ID, { mode, percent, cohort }, 'test')
}

async function reportsOf(installation: InstalledAppFixture, query = '') {
  const url = `/api/apps/${APP_KEY}/enforcement-reports${query}`
  const token = await appJwt(t.app, installation, { method: 'GET', url })
  const response = await t.app.inject({ url, headers: { authorization: `JWT ${token}` } })
  return { status: response.statusCode, body: response.json() }
}

async function reportCount(installation: InstalledAppFixture): Promise<number> {
  const rows = await t.app.db.selectFrom('enforcement_reports').select('id').where('installation_id', '=', installation.installationId).execute()
  return rows.length
}

/** Accepted as the current installation: the token's grant is the current installation's, acting as the user. */
async function accepted(response: { status: number; body: { access_token?: string } }, { current, userId }: Reinstalled): Promise<void> {
  assert.equal(response.status, 200, JSON.stringify(response.body))
  const claims = JSON.parse(Buffer.from(response.body.access_token!.split('.')[1], 'base64url').toString())
  assert.equal(claims.client_id, APP_KEY)
  assert.equal(claims.sub, userId)
  const grant = await t.app.db.selectFrom('grants').select('installation_id').where('id', '=', claims.gid).executeTakeFirstOrThrow()
  assert.equal(grant.installation_id, current.installationId)
}

function refusedAsStale(response: { status: number; body: { error: string; error_description: string } }, { stale, current }: Reinstalled): void {
  assert.equal(response.status, 400, JSON.stringify(response.body))
  assert.equal(response.body.error, 'invalid_grant')
  const description = response.body.error_description
  assert.ok(description.includes(`The oauthClientId "${stale.oauthClientId}" is stale`), description)
  assert.ok(description.includes(`Use the current one, "${current.oauthClientId}", from the latest installed callback`), description)
}

test('off (never set): a stale oauthClientId signed with the current secret is accepted as the current installation, and nothing is recorded', async () => {
  const site = await reinstalled('off')
  await accepted(await withStaleId(site), site)
  assert.equal(await reportCount(site.current), 0)
})

test('report-only for the app (cohort): accepted and recorded with the stale and the current id; the vendor lists it with its app JWT', async () => {
  const site = await reinstalled('report-only')
  await enforce('report-only', { cohort: [`app:${APP_KEY}`] })
  await accepted(await withStaleId(site), site)
  clock.advance(5)
  await accepted(await withStaleId(site), site)
  assert.equal(await reportCount(site.current), 2)

  const listed = await reportsOf(site.current)
  assert.equal(listed.status, 200, JSON.stringify(listed.body))
  assert.equal(listed.body.app, APP_KEY)
  const [newest, older] = listed.body.values.filter((r: { installation: { workspace: string } }) => r.installation.workspace === 'report-only')
  assert.equal(newest.enforcement, STALE_OAUTH_CLIENT_ID)
  assert.deepEqual(newest.installation, { id: site.current.installationId, client_key: site.current.clientKey, workspace: 'report-only' })
  assert.equal(newest.detail.staleOauthClientId, site.stale.oauthClientId)
  assert.equal(newest.detail.currentOauthClientId, site.current.oauthClientId)
  assert.equal(newest.detail.grantType, JWT_BEARER)
  assert.equal(newest.detail.at, new Date(clock.now()).toISOString())
  assert.equal(newest.created_on, new Date(clock.now()).toISOString())
  assert.ok(newest.created_on > older.created_on, 'newest first')
  assert.equal((await reportsOf(site.current, '?limit=1')).body.values.length, 1)
  await enforce('off')
})

test('enforce for the app (cohort): refused with invalid_grant, saying the id is stale, the current one and where it comes from', async () => {
  const site = await reinstalled('enforced')
  await enforce('enforce', { cohort: [`app:${APP_KEY}`] })
  refusedAsStale(await withStaleId(site), site)
  assert.equal(await reportCount(site.current), 0)
  const current = await impersonationAssertion(t.app, site.current, { userId: site.userId })
  const withCurrentId = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ grant_type: JWT_BEARER, assertion: current }).toString() })
  assert.equal(withCurrentId.statusCode, 200, 'the current id is never affected')
  await enforce('off')
})

test('a workspace cohort applies in that workspace only; elsewhere the stale id is allowed silently', async () => {
  const early = await reinstalled('early-access')
  const other = await reinstalled('general')
  await enforce('enforce', { cohort: ['workspace:early-access'] })
  refusedAsStale(await withStaleId(early), early)
  await accepted(await withStaleId(other), other)
  await enforce('report-only', { cohort: ['workspace:early-access'] })
  await accepted(await withStaleId(early), early)
  await accepted(await withStaleId(other), other)
  assert.equal(await reportCount(early.current), 1)
  assert.equal(await reportCount(other.current), 0)
  await enforce('off')
})

test("the percentage applies by the app key's stable bucket: below it the app is in scope, at or above it is not", async () => {
  const site = await reinstalled('by-percent')
  const appBucket = bucket(STALE_OAUTH_CLIENT_ID, APP_KEY)
  const outside = Math.floor(appBucket / 100)
  await enforce('enforce', { percent: outside })
  await accepted(await withStaleId(site), site)
  await enforce('report-only', { percent: outside })
  await accepted(await withStaleId(site), site)
  assert.equal(await reportCount(site.current), 0)
  await enforce('report-only', { percent: outside + 1 })
  await accepted(await withStaleId(site), site)
  assert.equal(await reportCount(site.current), 1)
  await enforce('enforce', { percent: outside + 1 })
  refusedAsStale(await withStaleId(site), site)
  await enforce('enforce', { percent: 100 })
  refusedAsStale(await withStaleId(site), site)
  await enforce('off')
})

test('an id stale after an import (installation removed, a new clientKey) is stale the same way', async () => {
  const site = await reinstalled('imported', 'removed')
  assert.notEqual(site.current.clientKey, site.stale.clientKey)
  await enforce('enforce', { cohort: [`app:${APP_KEY}`] })
  refusedAsStale(await withStaleId(site), site)
  await enforce('off')
  await accepted(await withStaleId(site), site)
})

test('a stale id signed with the ended installation\'s old secret is refused whatever the mode: only the current secret speaks for the installation', async () => {
  const site = await reinstalled('old-secret')
  const assertion = await impersonationAssertion(t.app, site.current, { userId: site.userId, oauthClientId: site.stale.oauthClientId, secret: site.stale.sharedSecret })
  const response = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ grant_type: JWT_BEARER, assertion }).toString() })
  assert.equal(response.statusCode, 400)
  assert.match(response.json().error_description, new RegExp(`signature does not verify with the shared secret of the installation with the oauthClientId "${site.current.oauthClientId}"`))
})

test('an unknown id, or the id of an installation not followed by another, is invalid_grant in every mode', async () => {
  const person = await makeCaller(t.app, 'gone-user')
  const workspace = await createWorkspace(t.app.db, t.app.clock, { slug: 'gone', members: [{ userId: person.id, role: 'member' }] })
  const gone = await installApp(t.app, helper, workspace)
  await endInstallation(t.app, gone)
  for (const mode of ['off', 'report-only', 'enforce'] as const) {
    await enforce(mode, { percent: 100 })
    const unknown = await impersonationAssertion(t.app, gone, { userId: person.id, oauthClientId: 'oc-made-up' })
    const ended = await impersonationAssertion(t.app, gone, { userId: person.id })
    for (const [assertion, pattern] of [[unknown, /No installation has the oauthClientId "oc-made-up"/], [ended, /belonged to an installation of "acme-helper" in workspace "gone", which is no longer installed/]] as const) {
      const response = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ grant_type: JWT_BEARER, assertion }).toString() })
      assert.equal(response.statusCode, 400, mode)
      assert.equal(response.json().error, 'invalid_grant')
      assert.match(response.json().error_description, pattern)
    }
  }
  await enforce('off')
})

test("the reports API takes an app JWT of any installation of the app, and of that app only", async () => {
  const site = await reinstalled('reports-api')
  await enforce('report-only', { percent: 100 })
  await accepted(await withStaleId(site), site)
  await enforce('off')
  const elsewhere = await installApp(t.app, helper, await createWorkspace(t.app.db, t.app.clock, { slug: 'reports-elsewhere', members: [] }))
  const fromElsewhere = await reportsOf(elsewhere)
  assert.equal(fromElsewhere.status, 200)
  assert.ok(fromElsewhere.body.values.some((r: { installation: { workspace: string } }) => r.installation.workspace === 'reports-api'))

  const otherApp = await installApp(t.app, await addDescriptorApp(t.app, 'other-vendor', ['account']), await createWorkspace(t.app.db, t.app.clock, { slug: 'other-vendor', members: [] }))
  const url = `/api/apps/${APP_KEY}/enforcement-reports`
  const foreign = await t.app.inject({ url, headers: { authorization: `JWT ${await appJwt(t.app, otherApp, { method: 'GET', url })}` } })
  assert.equal(foreign.statusCode, 403)
  assert.match(foreign.json().error.message, /installation of "other-vendor"; it may read only that app's reports/)
  const anonymous = await t.app.inject({ url })
  assert.equal(anonymous.statusCode, 401)
  assert.match(anonymous.json().error.message, /needs an app JWT/)
  const wrongQsh = await t.app.inject({ url, headers: { authorization: `JWT ${await appJwt(t.app, site.current, { method: 'GET', url: '/2.0/user' })}` } })
  assert.equal(wrongQsh.statusCode, 401)
  assert.match(wrongQsh.json().error.message, /qsh/)
})
