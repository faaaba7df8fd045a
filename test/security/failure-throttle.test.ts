import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { Redis } from 'ioredis'
import type { LockPolicy } from '../../src/domain/failure-lock.js'
import { MemoryFailureStore, type FailureStore } from '../../src/security/failure-store.js'
import { FailureThrottle } from '../../src/security/failure-throttle.js'
import { RedisFailureStore } from '../../src/security/redis-failure-store.js'
import { TestClock } from '../oauth/fixtures.js'

const policy: LockPolicy = { freeFailures: 3, windowMs: 60_000, firstLockMs: 10_000, maxLockMs: 40_000 }
const REDIS_URL = process.env.REDIS_URL

function throttle(store: FailureStore, clock = new TestClock()) {
  return { clock, throttle: new FailureThrottle({ store, clock, policy, name: 'test' }) }
}

async function failTimes(t: FailureThrottle, subject: string, times: number): Promise<number[]> {
  const waits: number[] = []
  for (let i = 0; i < times; i++) waits.push(await t.fail(subject))
  return waits
}

test('memory: the allowance passes, then a lock that doubles with each further failure', async () => {
  const { throttle: t, clock } = throttle(new MemoryFailureStore())
  assert.equal(t.hasLocks, false)
  assert.deepEqual(await failTimes(t, 'a', 4), [0, 0, 0, 10])
  assert.equal(t.lockedFor('a'), 10)
  assert.equal(t.lockedFor('b'), 0, 'another subject is not affected')
  clock.advance(10)
  assert.equal(t.lockedFor('a'), 0)
  assert.equal(await t.fail('a'), 20, 'a failure right after the lock escalates')
  clock.advance(20)
  assert.deepEqual(await failTimes(t, 'a', 1), [40])
  clock.advance(40)
  assert.deepEqual(await failTimes(t, 'a', 1), [40], 'capped at the maximum')
})

test('memory: failures are forgotten a window after the lock, and on forget()', async () => {
  const { throttle: t, clock } = throttle(new MemoryFailureStore())
  await failTimes(t, 'a', 4)
  clock.advance(10 + 60)
  assert.deepEqual(await failTimes(t, 'a', 4), [0, 0, 0, 10], 'a fresh window')
  await t.forget('a')
  assert.equal(t.lockedFor('a'), 0)
  assert.deepEqual(await failTimes(t, 'a', 3), [0, 0, 0])
})

test('memory: a full store drops its oldest subject to make room', async () => {
  const store = new MemoryFailureStore(2)
  const now = 0
  await store.addFailure('a', 1000, now)
  await store.addFailure('b', 1000, now)
  await store.addFailure('c', 1000, now)
  assert.equal(await store.addFailure('a', 1000, now), 1, 'a was dropped')
  assert.equal(await store.addFailure('c', 1000, now), 2)
})

test('redis: two nodes count together, and a lock set by one is seen by the other', async (t) => {
  if (!REDIS_URL) return t.skip('needs REDIS_URL')
  const redis = new Redis(REDIS_URL)
  try {
    const namespace = `gatehouse-test:${randomUUID()}:`
    const onError = (error: unknown) => assert.fail(`unexpected Redis error: ${error}`)
    const node = () => throttle(new RedisFailureStore(redis, new MemoryFailureStore(), { namespace, onError }), new TestClock(Date.now())).throttle
    const [a, b] = [node(), node()]
    assert.deepEqual([await a.fail('x'), await b.fail('x'), await a.fail('x')], [0, 0, 0])
    assert.equal(await b.fail('x'), 10, 'the fourth failure, counted on the other node, locks')
    assert.equal(a.lockedFor('x'), 0, "without asking, node a does not know of b's lock yet")
    assert.equal(await a.lockedForShared('x'), 10)
    assert.equal(a.lockedFor('x'), 10, 'and now remembers it')
    assert.equal(await a.fail('x'), 20, 'the shared count escalates on either node')
    const ttl = await redis.pttl(`${namespace}{test:x}:failures`)
    assert.ok(ttl > 20_000 && ttl <= 80_000, `the count outlives the lock by a window (pttl ${ttl})`)
    await b.forget('x')
    assert.equal(await redis.exists(`${namespace}{test:x}:failures`, `${namespace}{test:x}:lock`), 0)
  } finally {
    await redis.quit()
  }
})

test('redis: when Redis cannot answer, the node counts in memory instead of failing or letting guesses through', async () => {
  // Nothing listens on port 1; commands fail at once without an offline queue.
  const redis = new Redis('redis://127.0.0.1:1', { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null })
  redis.on('error', () => {})
  const errors: unknown[] = []
  const { throttle: t } = throttle(new RedisFailureStore(redis, new MemoryFailureStore(), { namespace: 'x:', onError: (error) => errors.push(error) }))
  assert.deepEqual(await failTimes(t, 'a', 4), [0, 0, 0, 10])
  assert.equal(await t.lockedForShared('a'), 10)
  assert.ok(errors.length >= 4)
  redis.disconnect()
})
