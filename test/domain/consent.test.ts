import assert from 'node:assert/strict'
import { test } from 'node:test'
import { addedScopes, approvalCovers, consentOutcome, parseGracePeriod, renewedScopes, type StoredDecision } from '../../src/domain/consent.js'

const NOW = Date.UTC(2026, 11, 7)
const allow = (scopes: string[], graceEndsAt: number | null = null): StoredDecision => ({ decision: 'allow', scopes, graceEndsAt })
const deny: StoredDecision = { decision: 'deny', scopes: ['account'], graceEndsAt: null }
const ask = (requested: string[], decision: StoredDecision | undefined, extra: Partial<Parameters<typeof consentOutcome>[0]> = {}) =>
  consentOutcome({ ownApp: false, decision, requested, interactive: true, now: NOW, ...extra })

test('no decision asks; nothing is allowed before Allow', () => {
  assert.deepEqual(ask(['account'], undefined), { outcome: 'ask', scopes: ['account'] })
  assert.deepEqual(ask(['account'], undefined, { interactive: false }), { outcome: 'ask', scopes: ['account'] })
})

test('a personal app never asks, whatever is stored', () => {
  assert.deepEqual(ask(['account', 'repository'], undefined, { ownApp: true }), { outcome: 'allow', scopes: ['account', 'repository'] })
  assert.deepEqual(ask(['account'], deny, { ownApp: true }), { outcome: 'allow', scopes: ['account'] })
})

test('an approval covering the request allows it without asking; one of fewer scopes asks again', () => {
  assert.deepEqual(ask(['account'], allow(['account', 'repository'])), { outcome: 'allow', scopes: ['account'] })
  assert.deepEqual(ask(['account', 'issue'], allow(['account'])), { outcome: 'ask', scopes: ['account', 'issue'] })
  assert.deepEqual(ask(['account', 'issue'], allow(['account']), { interactive: false }), { outcome: 'ask', scopes: ['account', 'issue'] }, 'nobody to ask: no token beyond the approval')
})

test('a denial stands without asking, interactive or not; prompt=consent lets the person answer again', () => {
  assert.deepEqual(ask(['account'], deny), { outcome: 'deny' })
  assert.deepEqual(ask(['account'], deny, { interactive: false }), { outcome: 'deny' })
  assert.deepEqual(ask(['account'], deny, { askAgain: true }), { outcome: 'ask', scopes: ['account'] })
  assert.deepEqual(ask(['account'], deny, { askAgain: true, interactive: false }), { outcome: 'deny' })
  assert.deepEqual(ask(['account'], allow(['account']), { askAgain: true }), { outcome: 'ask', scopes: ['account'] })
})

test('during a grace period the old approval gives its old scopes to requests nobody can be asked about, and asks people who are there', () => {
  const inGrace = allow(['account', 'workspace'], NOW + 1000)
  assert.deepEqual(ask(['account', 'workspace', 'issue'], inGrace, { interactive: false }), { outcome: 'allow', scopes: ['account', 'workspace'] })
  assert.deepEqual(ask(['account', 'workspace', 'issue'], inGrace), { outcome: 'ask', scopes: ['account', 'workspace', 'issue'] })
  assert.deepEqual(ask(['account'], inGrace), { outcome: 'ask', scopes: ['account'] }, 'an interactive use is when the new scopes are asked for')
  assert.deepEqual(ask(['issue'], inGrace, { interactive: false }), { outcome: 'ask', scopes: ['issue'] })
  const over = allow(['account', 'workspace'], NOW)
  assert.deepEqual(ask(['account'], over, { interactive: false }), { outcome: 'ask', scopes: ['account'] }, 'once over, the approval is gone')
})

test('scope changes: wider ends approvals that do not hold the new scopes, narrower ends nothing; renewal keeps what was allowed', () => {
  assert.deepEqual(addedScopes(['account'], ['account', 'issue']), ['issue'])
  assert.deepEqual(addedScopes(['account', 'issue'], ['account']), [])
  assert.equal(approvalCovers(['account', 'issue'], ['account']), true)
  assert.equal(approvalCovers(['account'], ['account', 'issue']), false)
  assert.deepEqual(renewedScopes(allow(['account']), ['issue']), ['account', 'issue'])
  assert.deepEqual(renewedScopes(deny, ['issue']), ['issue'], 'an approval replacing a denial holds only what is allowed now')
  assert.deepEqual(renewedScopes(undefined, ['account']), ['account'])
})

test('grace periods are days or hours, at most a year', () => {
  assert.equal(parseGracePeriod('14d'), 14 * 86_400_000)
  assert.equal(parseGracePeriod('36h'), 36 * 3_600_000)
  assert.equal(parseGracePeriod('7'), 7 * 86_400_000)
  assert.equal(parseGracePeriod('0'), 0)
  for (const bad of ['', 'soon', '14w', '-1d', '400d']) assert.equal(parseGracePeriod(bad), undefined, bad)
})
