import assert from 'node:assert/strict'
import { createServer } from 'node:net'
import { test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildServer } from '../../src/server.js'
import { loadConfig, testConfig } from '../../src/config.js'
import { createTestDatabase } from '../support/database.js'
import { startTestApp, type TestApp } from '../support/app.js'

// These tests use real HTTP on a real socket: inject() invents the peer address, and the peer is the point.

/** Gatehouse as `GATEHOUSE_TRUST_PROXY=<setting>` configures it, with a probe that answers the address it sees. */
async function serverTrusting(setting: string, overrides: Parameters<typeof startTestApp>[0] = {}): Promise<TestApp & { base: string }> {
  const { trustProxy } = loadConfig({ GATEHOUSE_TRUST_PROXY: setting })
  const t = await startTestApp({ trustProxy, ...overrides }, { listen: true, beforeReady: probe })
  return { ...t, base: t.config.issuer }
}

async function probe(app: FastifyInstance): Promise<void> {
  app.get('/test/client-address', async (request) => ({ ip: request.ip }))
}

function canListenOn(host: string): Promise<boolean> {
  const server = createServer()
  return new Promise((resolve) => {
    server.once('error', () => resolve(false))
    server.listen(0, host, () => server.close(() => resolve(true)))
  })
}

async function seenAddress(base: string, forwardedFor?: string): Promise<string> {
  const response = await fetch(`${base}/test/client-address`, { headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } })
  return ((await response.json()) as { ip: string }).ip
}

test('X-Forwarded-For from an untrusted peer does not change the address Gatehouse sees', async () => {
  for (const setting of ['', '10.0.0.0/8', '192.0.2.10,fd00::/8']) {
    const t = await serverTrusting(setting)
    try {
      assert.equal(await seenAddress(t.base), '127.0.0.1')
      assert.equal(await seenAddress(t.base, '203.0.113.9'), '127.0.0.1', `GATEHOUSE_TRUST_PROXY="${setting}"`)
      assert.equal(await seenAddress(t.base, '198.51.100.1, 203.0.113.9'), '127.0.0.1')
    } finally {
      await t.close()
    }
  }
})

test("from a trusted proxy's range, the client is the nearest untrusted address in the chain; what the client wrote before it is ignored", async () => {
  const t = await serverTrusting('127.0.0.1/8')
  try {
    assert.equal(await seenAddress(t.base), '127.0.0.1')
    assert.equal(await seenAddress(t.base, '203.0.113.9'), '203.0.113.9')
    // The client sent "X-Forwarded-For: 198.51.100.1" itself; the proxy appended the address it saw.
    assert.equal(await seenAddress(t.base, '198.51.100.1, 203.0.113.9'), '203.0.113.9')
    assert.equal(await seenAddress(t.base, '198.51.100.1, 203.0.113.9, 127.0.0.5'), '203.0.113.9', 'trusted hops are skipped')
  } finally {
    await t.close()
  }
})

test('a hop count takes the address that many hops back, and nothing further', async () => {
  const one = await serverTrusting('1')
  try {
    assert.equal(await seenAddress(one.base, '203.0.113.9'), '203.0.113.9')
    assert.equal(await seenAddress(one.base, '198.51.100.1, 203.0.113.9'), '203.0.113.9', 'a client-written entry is beyond the one proxy')
  } finally {
    await one.close()
  }
  const two = await serverTrusting('2')
  try {
    assert.equal(await seenAddress(two.base, '198.51.100.1, 203.0.113.9'), '198.51.100.1')
    assert.equal(await seenAddress(two.base, '192.0.2.1, 198.51.100.1, 203.0.113.9'), '198.51.100.1')
  } finally {
    await two.close()
  }
})

test('IPv6: a proxy named by its IPv6 address is trusted, one outside the range is not', async (t) => {
  if (!(await canListenOn('::1'))) return t.skip('this machine has no IPv6 loopback address')
  for (const [setting, expected] of [['::1', '2001:db8::7'], ['fd00::/8', '::1']]) {
    const database = await createTestDatabase()
    const app = await buildServer(testConfig({ databaseUrl: database.url, kek: database.kek, throttle: false, trustProxy: loadConfig({ GATEHOUSE_TRUST_PROXY: setting }).trustProxy }))
    await probe(app)
    try {
      await app.listen({ host: '::1', port: 0 })
      const { port } = app.server.address() as { port: number }
      assert.equal(await seenAddress(`http://[::1]:${port}`, '2001:db8::7'), expected, `GATEHOUSE_TRUST_PROXY="${setting}"`)
    } finally {
      await app.close()
      await database.drop()
    }
  }
})

test('a spoofed X-Forwarded-For does not escape the throttle; through a trusted proxy, each client is counted as itself', async () => {
  const forged = { authorization: 'Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' }
  const call = (base: string, forwardedFor: string) => fetch(`${base}/2.0/user`, { headers: { ...forged, 'x-forwarded-for': forwardedFor } }).then((r) => r.status)

  const untrusted = await serverTrusting('10.0.0.0/8', { throttle: true, invalidTokensPerMinute: 3 })
  try {
    // Each request claims another address; the peer, 127.0.0.1, is what counts.
    assert.deepEqual([await call(untrusted.base, '203.0.113.1'), await call(untrusted.base, '203.0.113.2'), await call(untrusted.base, '203.0.113.3')], [401, 401, 401])
    assert.equal(await call(untrusted.base, '203.0.113.4'), 429)
  } finally {
    await untrusted.close()
  }

  const behindProxy = await serverTrusting('127.0.0.1/8', { throttle: true, invalidTokensPerMinute: 3 })
  try {
    for (let i = 0; i < 3; i++) assert.equal(await call(behindProxy.base, '203.0.113.1'), 401)
    assert.equal(await call(behindProxy.base, '203.0.113.1'), 429)
    assert.equal(await call(behindProxy.base, '203.0.113.2'), 401, 'another client behind the same proxy is not locked')
  } finally {
    await behindProxy.close()
  }
})
