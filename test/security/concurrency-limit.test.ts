import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ServiceUnavailableError } from '../../src/errors.js'
import { ConcurrencyLimit } from '../../src/security/concurrency-limit.js'

/** A task the test finishes by hand, recording how many ran at once. */
function gate() {
  let running = 0
  let peak = 0
  const releases: (() => void)[] = []
  const task = () => new Promise<string>((resolve) => {
    running++
    peak = Math.max(peak, running)
    releases.push(() => {
      running--
      resolve('done')
    })
  })
  return { task, releaseOne: () => releases.shift()!(), peak: () => peak, started: () => releases.length }
}

const refusal = { message: 'Too busy', retryAfterSeconds: 2 }

test('at most `concurrency` tasks run at once; `queue` more wait; the next is refused with 503 and Retry-After at once', async () => {
  const limit = new ConcurrencyLimit({ concurrency: 2, queue: 1, refusal })
  const work = gate()
  const admitted = [limit.run(work.task), limit.run(work.task), limit.run(work.task)]
  await assert.rejects(limit.run(work.task), (error: unknown) => {
    assert.ok(error instanceof ServiceUnavailableError)
    assert.equal(error.status, 503)
    assert.equal(error.retryAfterSeconds, 2)
    assert.equal(error.message, 'Too busy')
    return true
  })
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(work.started(), 2, 'the third waits for a turn')
  assert.deepEqual(limit.load, { running: 2, waiting: 1 })

  work.releaseOne()
  await new Promise((resolve) => setImmediate(resolve))
  assert.equal(work.started(), 2, 'the waiting task took the freed place')
  work.releaseOne()
  work.releaseOne()
  assert.deepEqual(await Promise.all(admitted), ['done', 'done', 'done'])
  assert.equal(work.peak(), 2)
  assert.deepEqual(limit.load, { running: 0, waiting: 0 })
})

test('a failing task frees its place too', async () => {
  const limit = new ConcurrencyLimit({ concurrency: 1, queue: 0, refusal })
  await assert.rejects(limit.run(async () => { throw new Error('boom') }), /boom/)
  assert.equal(await limit.run(async () => 'next'), 'next')
})
