import assert from 'node:assert/strict'
import { test } from 'node:test'
import { addressKey } from '../../src/domain/client-address.js'

test('an IPv4 address counts alone', () => {
  assert.equal(addressKey('203.0.113.7'), '203.0.113.7')
  assert.notEqual(addressKey('203.0.113.7'), addressKey('203.0.113.8'))
})

test('IPv6 addresses count by their /64, so drawing a new address from one subscriber block does not reset the count', () => {
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64')
  assert.equal(addressKey('2001:db8:1:2:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64')
  assert.equal(addressKey('2001:0db8:0001:0002::9'), '2001:db8:1:2::/64')
  assert.notEqual(addressKey('2001:db8:1:3::1'), addressKey('2001:db8:1:2::1'))
  assert.equal(addressKey('::1'), '0:0:0:0::/64')
  assert.equal(addressKey('fe80::1%eth0'), 'fe80:0:0:0::/64')
})

test('an IPv4-mapped IPv6 address (a dual-stack socket) counts as the IPv4 address', () => {
  assert.equal(addressKey('::ffff:203.0.113.7'), '203.0.113.7')
  assert.equal(addressKey('::ffff:cb00:7107'), '203.0.113.7')
})

test('anything else is its own key', () => {
  assert.equal(addressKey('unknown'), 'unknown')
})
