import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Config } from '../../src/config.js'
import { TestClock } from '../oauth/fixtures.js'
import { csrfFor, form, insertUser, PASSWORD, startWebApp } from './fixtures.js'

const THROTTLED: Partial<Config> = {
  throttle: true,
  signInFailuresPerAccount: 3,
  signInFailuresPerAddress: 100,
  failureLockSeconds: 60,
  failureLockMaxSeconds: 600,
}

/** A browser at `address` that has the sign-in form open. */
async function browserAt(app: FastifyInstance, address = '127.0.0.1') {
  const { jar, token } = await csrfFor(app)
  return (username: string, password: string): Promise<LightMyRequestResponse> =>
    app.inject({ method: 'POST', url: '/login', cookies: jar, remoteAddress: address, ...form({ username, password, csrf_token: token }) })
}

async function statuses(attempts: Promise<LightMyRequestResponse>[]): Promise<number[]> {
  return (await Promise.all(attempts)).map((response) => response.statusCode)
}

function notice(body: string): string {
  return /<p>([^<]*Try again[^<]*)<\/p>/.exec(body)?.[1] ?? ''
}

test('a locked account: the third wrong password locks it for a minute, even against the right password and from elsewhere, with a page saying when', async () => {
  const clock = new TestClock(Date.UTC(2026, 0, 1, 14, 0, 0))
  const t = await startWebApp(THROTTLED, { clock })
  try {
    await insertUser(t.app)
    const signIn = await browserAt(t.app)
    for (let i = 0; i < 3; i++) assert.equal((await signIn('ada', 'wrong guess')).statusCode, 401)

    const locked = await signIn('ada', PASSWORD)
    assert.equal(locked.statusCode, 429)
    assert.equal(locked.headers['retry-after'], '60')
    assert.match(locked.headers['content-type'] as string, /^text\/html/)
    assert.match(locked.body, /<h1 id="error-title">Too many attempts<\/h1>/)
    assert.equal(notice(locked.body), 'Too many failed sign-ins for this username. Try again in 1 minute (after 14:01 UTC).')
    assert.equal((await (await browserAt(t.app, '198.51.100.7'))('ada', PASSWORD)).statusCode, 429, 'the account is locked, not the address')

    clock.advance(60)
    assert.equal((await signIn('ada', PASSWORD)).statusCode, 303)
  } finally {
    await t.close()
  }
})

test('locks escalate: after a lock, the next failure locks twice as long', async () => {
  const clock = new TestClock()
  const t = await startWebApp(THROTTLED, { clock })
  try {
    await insertUser(t.app)
    const signIn = await browserAt(t.app)
    for (let i = 0; i < 3; i++) await signIn('ada', 'wrong guess')
    clock.advance(60)
    assert.equal((await signIn('ada', 'wrong again')).statusCode, 401)
    const locked = await signIn('ada', PASSWORD)
    assert.equal(locked.statusCode, 429)
    assert.equal(locked.headers['retry-after'], '120')
  } finally {
    await t.close()
  }
})

test('a lock does not reveal whether the account exists: an unknown username locks the same way, with the same answer', async () => {
  const clock = new TestClock(Date.UTC(2026, 0, 1, 9, 30, 0))
  const t = await startWebApp(THROTTLED, { clock })
  try {
    await insertUser(t.app)
    const signIn = await browserAt(t.app)
    const answers: Record<string, number[]> = {}
    for (const username of ['ada', 'ghost']) answers[username] = await statuses([1, 2, 3].map(() => signIn(username, 'wrong guess')))
    assert.deepEqual(answers.ada, [401, 401, 401])
    assert.deepEqual(answers.ghost, [401, 401, 401])

    const [real, ghost] = [await signIn('ada', PASSWORD), await signIn('ghost', PASSWORD)]
    assert.equal(real.statusCode, 429)
    assert.equal(ghost.statusCode, 429)
    assert.equal(real.headers['retry-after'], ghost.headers['retry-after'])
    assert.equal(real.body, ghost.body)
  } finally {
    await t.close()
  }
})

test("a successful sign-in forgets the account's failures", async () => {
  const t = await startWebApp(THROTTLED)
  try {
    await insertUser(t.app)
    let signIn = await browserAt(t.app)
    assert.deepEqual([(await signIn('ada', 'wrong')).statusCode, (await signIn('ada', 'wrong')).statusCode, (await signIn('ada', PASSWORD)).statusCode], [401, 401, 303])
    signIn = await browserAt(t.app)
    // Without the reset these two would be the third and fourth failures, and the sign-in after them refused.
    assert.deepEqual([(await signIn('ada', 'wrong')).statusCode, (await signIn('ada', 'wrong')).statusCode, (await signIn('ada', PASSWORD)).statusCode], [401, 401, 303])
  } finally {
    await t.close()
  }
})

test('a throttled address: failures against many usernames from one address lock the address, not the accounts elsewhere', async () => {
  const t = await startWebApp({ ...THROTTLED, signInFailuresPerAccount: 100, signInFailuresPerAddress: 3 })
  try {
    await insertUser(t.app)
    const attacker = await browserAt(t.app, '203.0.113.9')
    assert.deepEqual(await statuses([attacker('bob', 'x'), attacker('carol', 'x'), attacker('dave', 'x')]), [401, 401, 401])
    const locked = await attacker('ada', PASSWORD)
    assert.equal(locked.statusCode, 429)
    assert.equal(notice(locked.body).startsWith('Too many failed sign-ins from your network address. Try again in 1 minute'), true)
    assert.equal((await (await browserAt(t.app, '198.51.100.7'))('ada', PASSWORD)).statusCode, 303, 'another address signs in')

    const ipv6 = ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2::3']
    for (const address of ipv6) assert.equal((await (await browserAt(t.app, address))('erin', 'x')).statusCode, 401)
    assert.equal((await (await browserAt(t.app, '2001:db8:1:2:ffff::4'))('ada', PASSWORD)).statusCode, 429, 'IPv6 addresses count by their /64')
  } finally {
    await t.close()
  }
})

test('a password flood: beyond the hashing limit and its queue, sign-in answers 503 with Retry-After and a page, and recovers', async () => {
  const t = await startWebApp({ passwordHashConcurrency: 1, passwordHashQueue: 1 })
  try {
    await insertUser(t.app)
    const signIn = await browserAt(t.app)
    const flood = await Promise.all(Array.from({ length: 30 }, () => signIn('ada', 'wrong guess')))
    const refused = flood.filter((response) => response.statusCode === 503)
    const checked = flood.filter((response) => response.statusCode === 401)
    assert.equal(refused.length + checked.length, 30)
    assert.ok(refused.length >= 1, 'some sign-ins were refused rather than queued without bound')
    assert.ok(checked.length >= 2, 'the running check and the queued one were answered')
    assert.equal(refused[0].headers['retry-after'], '2')
    assert.match(refused[0].headers['content-type'] as string, /^text\/html/)
    assert.match(refused[0].body, /Temporarily unavailable/)
    assert.match(refused[0].body, /Too many sign-ins are being checked right now; try again in a few seconds/)

    assert.equal((await signIn('ada', PASSWORD)).statusCode, 303, 'once the flood has passed, sign-in works')
  } finally {
    await t.close()
  }
})
