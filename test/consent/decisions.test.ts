import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, test } from 'node:test'
import { disableUser } from '../../src/admin/accounts.service.js'
import { endApprovalsNotCovering, endApprovalsPastGrace, listDecisionsOfUser, revokeDecision } from '../../src/consent/decisions.service.js'
import { updateConsumer, formValuesOf } from '../../src/consumers/consumers.service.js'
import { findConsumerRow } from '../../src/consumers/consumers.queries.js'
import { TestClock } from '../oauth/fixtures.js'
import { cookiesFrom, form, hiddenField, insertApp, insertUser, signIn, startWebApp, type TestClient } from '../web/fixtures.js'
import type { TestApp } from '../support/app.js'

const REDIRECT = 'http://127.0.0.1:7777/cb'
let t: TestApp
let clock: TestClock
let publisher: { id: string }

before(async () => {
  clock = new TestClock(Date.now())
  t = await startWebApp({}, { clock })
  publisher = await insertUser(t.app, 'publisher')
})
after(() => t.close())

async function person(username: string) {
  const user = await insertUser(t.app, username)
  return { ...user, jar: await signIn(t.app, username) }
}

async function oauthApp(scopes = ['account', 'repository'], ownerId = publisher.id): Promise<TestClient> {
  return insertApp(t.app, { isPublic: true, redirectUris: [REDIRECT], scopes, ownerId })
}

/** One authorization: the page (or the remembered decision) and, if asked, the answer. What came back to the app. */
async function authorize(user: { jar: Record<string, string> }, app: TestClient, options: { scope?: string; answer?: 'allow' | 'deny'; prompt?: string } = {}) {
  const verifier = randomBytes(32).toString('base64url')
  const query = new URLSearchParams({
    client_id: app.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: options.scope ?? 'account', state: 's',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256', ...(options.prompt ? { prompt: options.prompt } : {}),
  })
  const page = await t.app.inject({ method: 'GET', url: `/oauth/authorize?${query}`, cookies: user.jar })
  if (page.statusCode === 303) return { asked: false, back: new URL(page.headers.location as string), verifier }
  assert.equal(page.statusCode, 200, page.body)
  if (!options.answer) return { asked: true, back: undefined, verifier }
  const fields: Record<string, string> = { decision: options.answer }
  for (const [, name, value] of page.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields[name] = hiddenField(page.body, name) ?? value
  const decided = await t.app.inject({ method: 'POST', url: '/oauth/authorize/decision', cookies: cookiesFrom(page, { ...user.jar }), ...form(fields) })
  assert.equal(decided.statusCode, 303, decided.body)
  return { asked: true, back: new URL(decided.headers.location as string), verifier }
}

async function accessToken(app: TestClient, back: URL, verifier: string): Promise<string> {
  const response = await t.app.inject({
    method: 'POST', url: '/oauth/token',
    ...form({ grant_type: 'authorization_code', code: back.searchParams.get('code')!, redirect_uri: REDIRECT, client_id: app.clientId, code_verifier: verifier }),
  })
  assert.equal(response.statusCode, 200, response.body)
  return response.json().access_token as string
}

async function apiStatus(token: string): Promise<number> {
  return (await t.app.inject({ url: '/2.0/user', headers: { authorization: `Bearer ${token}` } })).statusCode
}

test('Allow is remembered: the next authorization goes straight back with a code; the page lists it', async () => {
  const ann = await person('ann')
  const app = await oauthApp()
  const first = await authorize(ann, app, { answer: 'allow' })
  assert.equal(first.asked, true)
  assert.ok(first.back!.searchParams.get('code'))
  const second = await authorize(ann, app)
  assert.equal(second.asked, false, 'asked only once')
  assert.ok(second.back!.searchParams.get('code'))
  assert.equal(await apiStatus(await accessToken(app, second.back!, second.verifier)), 200)
  const [decision] = await listDecisionsOfUser(t.app.db, ann.id)
  assert.equal(decision.decision, 'allow')
  assert.deepEqual(decision.scopes, ['account'])
  assert.ok(decision.lastUsedAt !== null, 'the second authorization used it')
  assert.equal((await authorize(ann, app, { scope: 'account repository' })).asked, true, 'more scopes than approved: asked again')
  assert.equal((await authorize(ann, app, { prompt: 'consent' })).asked, true, 'prompt=consent asks anyway')
})

test('Deny is remembered: later authorizations are refused without asking, saying where to change it, until the person lifts it', async () => {
  const bo = await person('bo')
  const app = await oauthApp()
  const denied = await authorize(bo, app, { answer: 'deny' })
  assert.equal(denied.back!.searchParams.get('error'), 'access_denied')
  const again = await authorize(bo, app)
  assert.equal(again.asked, false)
  assert.equal(again.back!.searchParams.get('error'), 'access_denied')
  assert.match(again.back!.searchParams.get('error_description')!, /denied Example app access earlier; they can change that at http:\/\/[^ ]+\/account\/app-authorizations/)
  assert.equal(again.back!.searchParams.get('code'), null)

  const [decision] = await listDecisionsOfUser(t.app.db, bo.id)
  assert.deepEqual(await revokeDecision(t.app.consent, bo.id, decision.id), { ended: 'denial', revokedGrants: 0 })
  assert.equal((await authorize(bo, app)).asked, true, 'lifted: asked again')
})

test('a personal app is never asked about', async () => {
  const cy = await person('cy')
  const own = await oauthApp(['account'], cy.id)
  const result = await authorize(cy, own)
  assert.equal(result.asked, false)
  assert.ok(result.back!.searchParams.get('code'))
  assert.deepEqual(await listDecisionsOfUser(t.app.db, cy.id), [])
})

test('revoking an approval ends its tokens; the next authorization asks again', async () => {
  const di = await person('di')
  const app = await oauthApp()
  const allowed = await authorize(di, app, { answer: 'allow' })
  const token = await accessToken(app, allowed.back!, allowed.verifier)
  assert.equal(await apiStatus(token), 200)
  const [decision] = await listDecisionsOfUser(t.app.db, di.id)
  const revoked = await revokeDecision(t.app.consent, di.id, decision.id)
  assert.deepEqual(revoked, { ended: 'approval', revokedGrants: 1 })
  assert.equal(await apiStatus(token), 401)
  assert.equal((await authorize(di, app)).asked, true)
  await assert.rejects(revokeDecision(t.app.consent, di.id, decision.id), /No such decision of yours/)
})

test('widening an app ends approvals of fewer scopes with their tokens; narrowing ends nothing; denials stay', async () => {
  const ed = await person('ed')
  const fay = await person('fay')
  const app = await oauthApp(['account', 'repository'])
  const allowed = await authorize(ed, app, { scope: 'account repository', answer: 'allow' })
  const token = await accessToken(app, allowed.back!, allowed.verifier)
  await authorize(fay, app, { answer: 'deny' })
  const admin = { id: publisher.id, username: 'publisher', displayName: 'publisher', isAdmin: true }
  const deps = { accounts: { db: t.app.db, clock: t.app.clock, accessTokenTtlSeconds: 3600, revocations: t.app.revocations }, catalogue: t.app.apiDescription.scopes, secrets: t.app.secrets, rotationGraceSeconds: 0 }

  const narrower = await updateConsumer(deps, admin, (await findConsumerRow(t.app.db, app.clientId))!, { ...formValuesOf((await findConsumerRow(t.app.db, app.clientId))!.app), redirectUris: REDIRECT, scopes: ['account'] })
  assert.equal(narrower.reconsent, null)
  assert.equal(await apiStatus(token), 200, 'fewer scopes end nothing')

  const wider = await updateConsumer(deps, admin, (await findConsumerRow(t.app.db, app.clientId))!, { ...formValuesOf((await findConsumerRow(t.app.db, app.clientId))!.app), redirectUris: REDIRECT, scopes: ['account', 'repository', 'issue'] })
  assert.deepEqual(wider.reconsent, { ended: 1, inGrace: 0, graceEndsAt: null })
  assert.equal(await apiStatus(token), 401, "the approval's tokens are revoked")
  assert.equal((await authorize(ed, app)).asked, true)
  const stillDenied = await authorize(fay, app)
  assert.equal(stillDenied.back?.searchParams.get('error'), 'access_denied', 'only the person ends a denial')
})

test('with a grace period, approvals keep working with their old scopes; people are asked for the new ones; unrenewed ones end afterwards', async () => {
  const gus = await person('gus')
  const hal = await person('hal')
  const app = await oauthApp(['account'])
  const gusToken = await (async () => {
    const a = await authorize(gus, app, { answer: 'allow' })
    return accessToken(app, a.back!, a.verifier)
  })()
  await authorize(hal, app, { answer: 'allow' })
  await t.app.db.updateTable('apps').set({ scopes: JSON.stringify(['account', 'repository']) }).where('id', '=', app.id).execute()
  const reconsent = await endApprovalsNotCovering(t.app.consent, { appId: app.id, installationId: null, appScopes: ['account', 'repository'], graceMs: 14 * 86_400_000 })
  assert.equal(reconsent.inGrace, 2)
  assert.equal(await apiStatus(gusToken), 200, 'old approvals keep working during the grace period')
  const [inGrace] = await listDecisionsOfUser(t.app.db, hal.id)
  assert.equal(inGrace.graceEndsAt, reconsent.graceEndsAt)

  // Hal uses the app again: asked for the new scopes, allows, and his approval is renewed.
  const renewed = await authorize(hal, app, { scope: 'account repository', answer: 'allow' })
  assert.ok(renewed.back!.searchParams.get('code'))
  const [halNow] = await listDecisionsOfUser(t.app.db, hal.id)
  assert.equal(halNow.graceEndsAt, null)
  assert.deepEqual(halNow.scopes.sort(), ['account', 'repository'])

  clock.advance(15 * 86_400)
  assert.equal(await endApprovalsPastGrace(t.app.consent), 1)
  assert.equal(await apiStatus(gusToken), 401, 'not renewed: ended with its tokens')
  assert.deepEqual(await listDecisionsOfUser(t.app.db, gus.id), [])
  assert.equal((await listDecisionsOfUser(t.app.db, hal.id)).length, 1)
})

test("disabling a person ends their decisions' tokens", async () => {
  const ivy = await person('ivy')
  const app = await oauthApp()
  const a = await authorize(ivy, app, { answer: 'allow' })
  const token = await accessToken(app, a.back!, a.verifier)
  await disableUser({ db: t.app.db, clock: t.app.clock, accessTokenTtlSeconds: 3600, revocations: t.app.revocations }, 'ivy')
  assert.equal(await apiStatus(token), 401)
})

test('moving an app from classic scopes to the granular ones they stand for asks nobody again, and refresh moves its tokens onto them', async () => {
  const gil = await person('gil')
  const app = await oauthApp(['account', 'repository'])
  const allowed = await authorize(gil, app, { scope: 'account repository', answer: 'allow' })
  const exchanged = await t.app.inject({
    method: 'POST', url: '/oauth/token',
    ...form({ grant_type: 'authorization_code', code: allowed.back!.searchParams.get('code')!, redirect_uri: REDIRECT, client_id: app.clientId, code_verifier: allowed.verifier }),
  })
  const { access_token: classicToken, refresh_token: refreshToken } = exchanged.json() as { access_token: string; refresh_token: string }
  const admin = { id: publisher.id, username: 'publisher', displayName: 'publisher', isAdmin: true }
  const deps = { accounts: { db: t.app.db, clock: t.app.clock, accessTokenTtlSeconds: 3600, revocations: t.app.revocations }, catalogue: t.app.apiDescription.scopes, secrets: t.app.secrets, rotationGraceSeconds: 0 }

  const moved = await updateConsumer(deps, admin, (await findConsumerRow(t.app.db, app.clientId))!, { ...formValuesOf((await findConsumerRow(t.app.db, app.clientId))!.app), redirectUris: REDIRECT, scopes: ['read:user', 'read:repository'] })
  assert.deepEqual(moved.reconsent, { ended: 0, inGrace: 0, graceEndsAt: null }, 'account and repository stand for read:user and read:repository')
  assert.equal(await apiStatus(classicToken), 200, 'tokens already issued keep working')

  // A background job refreshes: the grant's classic scopes become the granular ones the app now has.
  const refreshed = await t.app.inject({ method: 'POST', url: '/oauth/token', ...form({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: app.clientId }) })
  assert.equal(refreshed.statusCode, 200, refreshed.body)
  assert.equal(refreshed.json().scope, 'read:repository read:user')

  const again = await authorize(gil, app, { scope: 'read:user read:repository' })
  assert.equal(again.asked, false, 'the approval of account and repository covers read:user and read:repository')
  assert.ok(again.back?.searchParams.get('code'))

  // Something the classic approval never stood for still asks.
  await updateConsumer(deps, admin, (await findConsumerRow(t.app.db, app.clientId))!, { ...formValuesOf((await findConsumerRow(t.app.db, app.clientId))!.app), redirectUris: REDIRECT, scopes: ['read:user', 'read:repository', 'read:issue'] })
  assert.equal((await authorize(gil, app, { scope: 'read:user read:issue' })).asked, true)
})
