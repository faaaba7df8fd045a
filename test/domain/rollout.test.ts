import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import {
  BUCKETS,
  bucket,
  decision,
  inScope,
  parseCohort,
  parseCohortMember,
  parseMode,
  parsePercent,
  type Enforcement,
} from '../../src/domain/rollout.js'

const NAME = 'stale-oauth-client-id'
const keys = Array.from({ length: 10_000 }, (_, i) => `vendor-app-${i}`)

function enforcement(overrides: Partial<Enforcement> = {}): Enforcement {
  return { name: NAME, mode: 'enforce', percent: 0, cohort: [], ...overrides }
}

test('bucket: stable, 0–9999, the first 4 bytes of SHA-256 of the namespaced key', () => {
  assert.equal(bucket(NAME, 'acme-reports'), bucket(NAME, 'acme-reports'))
  const digest = createHash('sha256').update(`gatehouse:enforcement:${NAME}:app:acme-reports`).digest()
  assert.equal(bucket(NAME, 'acme-reports'), Math.floor((digest.readUInt32BE(0) / 2 ** 32) * BUCKETS))
  for (const key of keys.slice(0, 1000)) {
    const b = bucket(NAME, key)
    assert.ok(Number.isInteger(b) && b >= 0 && b < BUCKETS, `${key} → ${b}`)
  }
})

test('bucket: each enforcement orders the apps differently, so no vendor is always first', () => {
  const first = keys.filter((key) => bucket(NAME, key) < 500)
  const firstOfAnother = new Set(keys.filter((key) => bucket('another-change', key) < 500))
  const shared = first.filter((key) => firstOfAnother.has(key)).length
  // Independent 5% samples share about 5% of their members.
  assert.ok(shared < first.length * 0.2, `${shared} of ${first.length} shared`)
})

test('monotonic: an app in scope at a percentage is in scope at every higher one', () => {
  const percents = [0, 0.01, 0.5, 1, 5, 12.25, 33.33, 50, 75, 99.99, 100]
  for (const appKey of keys.slice(0, 2000)) {
    let wasIn = false
    for (const percent of percents) {
      const isIn = inScope(enforcement({ percent }), { appKey })
      assert.ok(!wasIn || isIn, `${appKey} left the scope at ${percent}%`)
      wasIn = isIn
    }
  }
  const at5 = keys.filter((appKey) => inScope(enforcement({ percent: 5 }), { appKey }))
  const at50 = new Set(keys.filter((appKey) => inScope(enforcement({ percent: 50 }), { appKey })))
  assert.ok(at5.every((key) => at50.has(key)), 'the apps in 5% are among those in 50%')
})

test('0% takes no app and 100% takes every app', () => {
  assert.equal(keys.filter((appKey) => inScope(enforcement({ percent: 0 }), { appKey })).length, 0)
  assert.equal(keys.filter((appKey) => inScope(enforcement({ percent: 100 }), { appKey })).length, keys.length)
})

test('distribution: 10,000 apps land in each percentage in about that proportion', () => {
  for (const [percent, low, high] of [[50, 0.47, 0.53], [5, 0.04, 0.06], [10, 0.085, 0.115], [0.5, 0.002, 0.009]]) {
    const share = keys.filter((appKey) => inScope(enforcement({ percent }), { appKey })).length / keys.length
    assert.ok(share >= low && share <= high, `${percent}% took ${(share * 100).toFixed(2)}%`)
  }
  const tenths = new Array(10).fill(0)
  for (const key of keys) tenths[Math.floor(bucket(NAME, key) / 1000)]++
  for (const count of tenths) assert.ok(count > 900 && count < 1100, `bucket deciles ${tenths.join(', ')}`)
})

test('fractional percentages count to the hundredth', () => {
  const appKey = keys.find((key) => bucket(NAME, key) > 0 && bucket(NAME, key) < 2000)!
  const b = bucket(NAME, appKey)
  assert.equal(inScope(enforcement({ percent: b / 100 }), { appKey }), false, 'the bucket itself is the first one out')
  assert.equal(inScope(enforcement({ percent: (b + 1) / 100 }), { appKey }), true)
})

test('cohort: a named app or workspace is in scope whatever the percentage', () => {
  const appKey = keys.find((key) => bucket(NAME, key) > 5000)!
  const cohort = enforcement({ percent: 1, cohort: [`app:${appKey}`, 'workspace:early-adopters'] })
  assert.equal(inScope(cohort, { appKey }), true)
  assert.equal(inScope(cohort, { appKey: 'acme-other', workspaceSlug: 'early-adopters' }), true)
  assert.equal(inScope(enforcement({ cohort: ['workspace:early-adopters'] }), { appKey, workspaceSlug: 'early-adopters' }), true)
  assert.equal(inScope(enforcement({ cohort: ['workspace:early-adopters'] }), { appKey, workspaceSlug: 'late' }), false)
  assert.equal(inScope(enforcement({ cohort: ['workspace:early-adopters'] }), { appKey }), false, 'no workspace, no workspace match')
  assert.equal(inScope(enforcement({ cohort: [`workspace:${appKey}`] }), { appKey }), false, 'an app key is not a workspace')
  assert.equal(inScope(enforcement({ cohort: [`app:${appKey}`] }), { appKey: 'x', workspaceSlug: appKey }), false, 'a workspace slug is not an app key')
})

test('decision: off allows everyone; report-only reports and enforce refuses in scope; out of scope is allowed', () => {
  const inCohort = { appKey: 'acme-reports' }
  const outside = { appKey: keys.find((key) => bucket(NAME, key) >= 500)! }
  const inPercent = { appKey: keys.find((key) => bucket(NAME, key) < 500)! }
  const cohort = ['app:acme-reports'] as const
  const cases: Array<[Enforcement['mode'], string, string, string]> = [
    ['off', 'allow', 'allow', 'allow'],
    ['report-only', 'report', 'report', 'allow'],
    ['enforce', 'refuse', 'refuse', 'allow'],
  ]
  for (const [mode, cohortDecision, percentDecision, outsideDecision] of cases) {
    const rule = enforcement({ mode, percent: 5, cohort: [...cohort] })
    assert.equal(decision(rule, inCohort), cohortDecision, `${mode}, cohort`)
    assert.equal(decision(rule, inPercent), percentDecision, `${mode}, within 5%`)
    assert.equal(decision(rule, outside), outsideDecision, `${mode}, outside`)
  }
  assert.equal(decision(enforcement({ mode: 'off', percent: 100 }), inPercent), 'allow')
  assert.equal(decision(enforcement({ mode: 'enforce', percent: 100 }), outside), 'refuse')
})

test('parseMode: the three modes, and a problem naming them', () => {
  assert.deepEqual(parseMode('report-only'), { mode: 'report-only' })
  assert.deepEqual(parseMode(' enforce '), { mode: 'enforce' })
  assert.deepEqual(parseMode('on'), { problem: '"on" is not a mode; use off, report-only, enforce' })
  assert.ok('problem' in parseMode('Enforce'))
})

test('parsePercent: 0–100 with at most two decimals, an optional % sign', () => {
  for (const [text, percent] of [['0', 0], ['5', 5], ['0.5', 0.5], ['12.25', 12.25], ['50%', 50], ['100', 100], ['100.00', 100], [' 7 ', 7]] as const) {
    assert.deepEqual(parsePercent(text), { percent }, text)
  }
  for (const text of ['', '-5', '1e2', '0.125', '.5', 'five', '5 %', 'NaN', '1000']) {
    const parsed = parsePercent(text)
    assert.ok('problem' in parsed, text)
    assert.match(parsed.problem, /is not a percentage; write a number from 0 to 100/)
  }
  assert.deepEqual(parsePercent('100.01'), { problem: '"100.01" is more than 100%' })
  assert.deepEqual(parsePercent('101'), { problem: '"101" is more than 100%' })
})

test('parseCohortMember: app:<key> or workspace:<slug>, with a message saying what to write', () => {
  assert.deepEqual(parseCohortMember('app:acme-reports'), { member: 'app:acme-reports' })
  assert.deepEqual(parseCohortMember(' workspace:acme '), { member: 'workspace:acme' })
  assert.deepEqual(parseCohortMember('acme-reports'), { problem: '"acme-reports" is not a cohort member; write app:<key> or workspace:<slug>, e.g. app:acme-reports or workspace:acme' })
  assert.match((parseCohortMember('user:alice') as { problem: string }).problem, /is not a cohort member; write app:<key> or workspace:<slug>/)
  assert.match((parseCohortMember('App:acme') as { problem: string }).problem, /is not a cohort member/)
  for (const text of ['app:', 'app:Acme', 'app:-acme', 'app:acme reports', `app:${'a'.repeat(81)}`]) {
    assert.match((parseCohortMember(text) as { problem: string }).problem, /does not name an app: after "app:" comes an app's descriptor key/, text)
  }
  for (const text of ['workspace:', 'workspace:Acme', 'workspace:a:b', `workspace:${'a'.repeat(63)}`]) {
    assert.match((parseCohortMember(text) as { problem: string }).problem, /does not name a workspace: after "workspace:" comes a workspace slug/, text)
  }
})

test('parseCohort: every member once, or every problem', () => {
  assert.deepEqual(parseCohort([]), { cohort: [] })
  assert.deepEqual(parseCohort(['app:a', 'workspace:w', 'app:a']), { cohort: ['app:a', 'workspace:w'] })
  const parsed = parseCohort(['app:a', 'b', 'workspace:W'])
  assert.ok('problems' in parsed)
  assert.equal(parsed.problems.length, 2)
  assert.match(parsed.problems[0], /^"b" is not a cohort member/)
  assert.match(parsed.problems[1], /^"workspace:W" does not name a workspace/)
})
