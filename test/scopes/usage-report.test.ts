import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'
import { NotFoundError } from '../../src/errors.js'
import type { ApiOperation } from '../../src/gateway/api-description.js'
import { parseUsagePeriod } from '../../src/scopes/usage-period.js'
import { granularReplacement, scopeUsageReport } from '../../src/scopes/usage-report.js'
import type { ScopeDefinition } from '../../src/domain/scopes.js'
import type { TestApp } from '../support/app.js'
import { startTestApp } from '../support/app.js'
import { insertApp } from '../web/fixtures.js'

// The scope usage report: from the stored counts, an app's registered scopes split into used and never
// used in the period, and the classic scopes it still uses with the granular ones that would do for
// exactly the operations it called with them. Against the sample platform's catalogue and operations.

const NOW = Date.parse('2027-03-31T12:00:00Z')
const THIRTY_DAYS = 30 * 86_400_000
let t: TestApp

before(async () => {
  t = await startTestApp({}, { clock: { now: () => NOW } })
})
after(() => t?.close())
beforeEach(async () => {
  await t.app.db.deleteFrom('scope_usage').execute()
})

async function stored(clientId: string, rows: [day: string, operationId: string, scope: string, calls: number][]): Promise<void> {
  await t.app.db.insertInto('scope_usage').values(rows.map(([day, operation_id, scope, calls]) => ({ client_id: clientId, day, operation_id, scope, calls }))).execute()
}

function report(clientId: string, since = NOW - THIRTY_DAYS) {
  return scopeUsageReport(t.app.db, t.app.apiDescription, { clientId, since, now: NOW })
}

test('registered scopes no call needed in the period are never used (safe to drop); used ones carry their calls and last day', async () => {
  const app = await insertApp(t.app, { scopes: ['read:user', 'read:workspace', 'read:workspace-member', 'repository', 'issue', 'workspace'] })
  await stored(app.clientId, [
    ['2027-03-28', 'getCurrentUser', 'read:user', 2],
    ['2027-03-30', 'getCurrentUser', 'read:user', 1],
    ['2027-03-29', 'listWorkspaces', 'workspace', 4],
    ['2027-03-30', 'listWorkspaceMembers', 'workspace', 1],
    // Before the period: the scope counts as unused now.
    ['2027-02-20', 'listRepositories', 'repository', 5],
  ])
  const found = await report(app.clientId)
  assert.equal(found.since, '2027-03-01')
  assert.equal(found.until, '2027-03-31')
  assert.equal(found.hasTraffic, true)
  assert.deepEqual(found.used, [
    { scope: 'read:user', calls: 3, lastDay: '2027-03-30', registered: true, classic: false },
    { scope: 'workspace', calls: 5, lastDay: '2027-03-30', registered: true, classic: true },
  ])
  assert.deepEqual(found.unused, ['issue', 'read:workspace', 'read:workspace-member', 'repository'])
})

test('a classic scope in use is replaced, for exactly the operations called with it, by their granular requirements (not everything it stands for)', async () => {
  const app = await insertApp(t.app, { scopes: ['workspace', 'read:workspace'] })
  await stored(app.clientId, [
    ['2027-03-29', 'listWorkspaces', 'workspace', 4],
    ['2027-03-30', 'listWorkspaceMembers', 'workspace', 1],
  ])
  const [workspace] = (await report(app.clientId)).classicInUse
  assert.equal(workspace.scope, 'workspace')
  assert.equal(workspace.deprecatedOn, '2027-06-07')
  assert.equal(workspace.calls, 5)
  // The catalogue says workspace stands for read:installation too; no call needed it.
  assert.deepEqual(workspace.replacedBy, ['read:workspace', 'read:workspace-member'])
  assert.deepEqual(workspace.notRegistered, ['read:workspace-member'])
  assert.deepEqual(workspace.operations, [
    { operationId: 'listWorkspaceMembers', calls: 1, lastDay: '2027-03-30', replacedBy: ['read:workspace', 'read:workspace-member'] },
    { operationId: 'listWorkspaces', calls: 4, lastDay: '2027-03-29', replacedBy: ['read:workspace'] },
  ])
})

test('an app with no call at all in the period has no traffic to judge by: nothing is listed as never used', async () => {
  const app = await insertApp(t.app, { scopes: ['read:user', 'issue'] })
  const other = await insertApp(t.app, { scopes: ['read:user'] })
  await stored(app.clientId, [['2027-02-01', 'getCurrentUser', 'read:user', 9]])
  await stored(other.clientId, [['2027-03-30', 'getCurrentUser', 'read:user', 1]])
  const found = await report(app.clientId)
  assert.equal(found.hasTraffic, false)
  assert.deepEqual(found.unused, [])
  assert.deepEqual(found.used, [])
  assert.deepEqual(found.registered, ['issue', 'read:user'])
})

test('calls needing no scope are traffic: the registered scopes are then unused', async () => {
  const app = await insertApp(t.app, { scopes: ['read:user'] })
  await stored(app.clientId, [['2027-03-30', 'getAccessibleResources', '', 3]])
  const found = await report(app.clientId)
  assert.equal(found.hasTraffic, true)
  assert.equal(found.callsNeedingNoScope, 3)
  assert.deepEqual(found.used, [])
  assert.deepEqual(found.unused, ['read:user'])
})

test('the period covered starts at the first day any usage was stored, when that is later than asked', async () => {
  const app = await insertApp(t.app, { scopes: ['read:user'] })
  assert.equal((await report(app.clientId)).dataSince, null)
  await stored('someone-else', [['2027-03-20', 'getCurrentUser', 'read:user', 1], ['2027-02-01', 'getCurrentUser', 'read:user', 1]])
  await stored(app.clientId, [['2027-03-25', 'getCurrentUser', 'read:user', 1]])
  assert.equal((await report(app.clientId)).dataSince, '2027-03-20')
  const lastWeek = await report(app.clientId, NOW - 7 * 86_400_000)
  assert.equal(lastWeek.since, '2027-03-24')
  assert.equal(lastWeek.dataSince, '2027-03-25')
})

test('a classic scope a token still carries after the registration dropped it is reported as used, not registered, and in use', async () => {
  const app = await insertApp(t.app, { scopes: ['read:user'] })
  await stored(app.clientId, [['2027-03-30', 'getCurrentUser', 'account', 2]])
  const found = await report(app.clientId)
  assert.deepEqual(found.used, [{ scope: 'account', calls: 2, lastDay: '2027-03-30', registered: false, classic: true }])
  assert.deepEqual(found.unused, ['read:user'])
  assert.deepEqual(found.classicInUse.map((c) => [c.scope, c.replacedBy, c.notRegistered]), [['account', ['read:user'], []]])
})

test('an unknown app is a NotFoundError naming its client_id', async () => {
  await assert.rejects(report('nobody'), (error: unknown) => error instanceof NotFoundError && /"nobody"/.test(error.message))
})

// ---------------------------------------------------------------- the replacement rule, on a made-up API

const CATALOGUE: ScopeDefinition[] = [
  { name: 'read:a', description: 'a' },
  { name: 'read:b', description: 'b' },
  { name: 'read:c', description: 'c' },
  { name: 'alpha', description: 'classic a', replacedBy: ['read:a', 'read:c'] },
  { name: 'beta', description: 'classic b', replacedBy: ['read:b'] },
]

function operation(requirements: string[][] | null): ApiOperation {
  return { method: 'GET', path: '/x', operationId: 'getX', summary: undefined, requirements }
}

test('replacement: a classic requirement of two classic scopes gives each its own part of the granular requirement', () => {
  const op = operation([['alpha', 'beta'], ['read:a', 'read:b']])
  assert.deepEqual(granularReplacement('alpha', op, CATALOGUE), ['read:a'])
  assert.deepEqual(granularReplacement('beta', op, CATALOGUE), ['read:b'])
})

test('replacement: among granular alternatives, the one within what the classic requirement stands for, then the smallest', () => {
  assert.deepEqual(granularReplacement('alpha', operation([['read:b'], ['alpha'], ['read:a', 'read:c']]), CATALOGUE), ['read:a', 'read:c'])
  assert.deepEqual(granularReplacement('alpha', operation([['read:a', 'read:c'], ['alpha'], ['read:a']]), CATALOGUE), ['read:a'])
})

test('replacement: an operation with no granular requirement, or one the API no longer describes, falls back to what the catalogue says', () => {
  assert.deepEqual(granularReplacement('alpha', operation([['alpha'], []]), CATALOGUE), ['read:a', 'read:c'])
  assert.deepEqual(granularReplacement('alpha', undefined, CATALOGUE), ['read:a', 'read:c'])
})

// ---------------------------------------------------------------- the period

test('a period is days or hours (30d, 12h); anything else says what to give', () => {
  assert.deepEqual(parseUsagePeriod('30d'), { ms: THIRTY_DAYS })
  assert.deepEqual(parseUsagePeriod('12h'), { ms: 12 * 3_600_000 })
  for (const bad of ['30', 'a month', '-3d', '5w', '1.5d', '']) {
    const parsed = parseUsagePeriod(bad)
    assert.ok('problem' in parsed && /e\.g\. 30d or 12h/.test(parsed.problem), bad)
  }
  assert.deepEqual(parseUsagePeriod('0h'), { problem: '"0h" is an empty period: give at least 1h' })
  assert.ok('problem' in parseUsagePeriod('4000d'))
})
