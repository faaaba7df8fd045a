import assert from 'node:assert/strict'
import { test } from 'node:test'
import { describeInstant, describeWait, lockAfterFailure, retryAfterSeconds, type LockPolicy } from '../../src/domain/failure-lock.js'

const policy: LockPolicy = { freeFailures: 5, windowMs: 900_000, firstLockMs: 30_000, maxLockMs: 900_000 }
const now = Date.UTC(2026, 0, 1, 14, 0, 0)

test('failures within the allowance lock nothing', () => {
  for (let failures = 1; failures <= 5; failures++) assert.equal(lockAfterFailure(policy, failures, now), undefined)
})

test('each failure past the allowance doubles the lock, up to the maximum', () => {
  const locks = [6, 7, 8, 9, 10, 11, 12, 50, 10_000].map((failures) => lockAfterFailure(policy, failures, now)!.until - now)
  assert.deepEqual(locks, [30_000, 60_000, 120_000, 240_000, 480_000, 900_000, 900_000, 900_000, 900_000])
})

test('the count outlives the lock by a window, so the next failure after a lock escalates', () => {
  const lock = lockAfterFailure(policy, 7, now)!
  assert.equal(lock.forgetCountAt, lock.until + policy.windowMs)
})

test('Retry-After is whole seconds, rounded up, never 0 while locked', () => {
  assert.equal(retryAfterSeconds(now + 30_000, now), 30)
  assert.equal(retryAfterSeconds(now + 29_001, now), 30)
  assert.equal(retryAfterSeconds(now + 1, now), 1)
})

test('waits and instants read as people say them, never earlier than the truth', () => {
  assert.equal(describeWait(1), '1 second')
  assert.equal(describeWait(45), '45 seconds')
  assert.equal(describeWait(60), '1 minute')
  assert.equal(describeWait(61), '2 minutes')
  assert.equal(describeWait(7200), '2 hours')
  assert.equal(describeInstant(Date.UTC(2026, 0, 1, 14, 5, 0)), '14:05 UTC')
  assert.equal(describeInstant(Date.UTC(2026, 0, 1, 14, 5, 30)), '14:06 UTC')
})
