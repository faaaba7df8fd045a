import assert from 'node:assert/strict'
import { test } from 'node:test'
import { fastifyTrustProxy, parseProxyTrust } from '../../src/domain/proxy-trust.js'

test('unset, false and 0 trust no proxy', () => {
  for (const value of ['', 'false', 'off', '0', ' ']) assert.deepEqual(parseProxyTrust(value), { trust: false })
})

test('a number is a hop count', () => {
  assert.deepEqual(parseProxyTrust('1'), { trust: 1 })
  assert.deepEqual(parseProxyTrust('2'), { trust: 2 })
  assert.ok('problem' in parseProxyTrust('11'))
})

test('a list names proxies by IPv4 or IPv6 address, CIDR range, or the loopback/linklocal/uniquelocal ranges', () => {
  assert.deepEqual(parseProxyTrust('10.0.0.0/8, 192.0.2.10,fd00::/8 ,2001:db8::1,loopback'), {
    trust: ['10.0.0.0/8', '192.0.2.10', 'fd00::/8', '2001:db8::1', 'loopback'],
  })
})

test('"trust everyone" is refused, saying what to write instead', () => {
  for (const value of ['true', 'TRUE', 'yes', 'on', '*', 'all']) {
    const parsed = parseProxyTrust(value)
    assert.ok('problem' in parsed)
    assert.match(parsed.problem, /any client choose its own address/)
    assert.match(parsed.problem, /number of proxies .*\(e\.g\. 1\).*addresses \(e\.g\. 10\.0\.0\.0\/8/)
  }
  for (const value of ['0.0.0.0/0', '::/0', '10.0.0.1,0.0.0.0/0']) {
    const parsed = parseProxyTrust(value)
    assert.ok('problem' in parsed)
    assert.match(parsed.problem, /every address/)
  }
})

test('entries that are not addresses or ranges are refused, naming the entry', () => {
  for (const [value, entry] of [['maybe', 'maybe'], ['10.0.0.0/33', '10.0.0.0/33'], ['fd00::/129', 'fd00::/129'], ['10.0.0.0/8/1', '10.0.0.0/8/1'], ['10.0.0.0/255.0.0.0', '10.0.0.0/255.0.0.0'], ['proxy.internal', 'proxy.internal']]) {
    const parsed = parseProxyTrust(value)
    assert.ok('problem' in parsed, value)
    assert.ok(parsed.problem.includes(`"${entry}"`), parsed.problem)
  }
})

test('for Fastify, a hop count trusts exactly that many hops and a list stays a list', () => {
  assert.equal(fastifyTrustProxy(false), false)
  assert.deepEqual(fastifyTrustProxy(['10.0.0.0/8']), ['10.0.0.0/8'])
  const twoHops = fastifyTrustProxy(2) as (address: string, hop: number) => boolean
  assert.deepEqual([0, 1, 2, 3].map((hop) => twoHops('198.51.100.1', hop)), [true, true, false, false])
})
