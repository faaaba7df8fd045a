import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ipRange, ipv6Groups, parseIpAddress, parseIpRange, rangeContains, unmapped } from '../../src/domain/cidr.js'

function address(text: string) {
  const parsed = parseIpAddress(text)
  assert.ok(parsed, text)
  return parsed
}

function range(text: string) {
  const parsed = parseIpRange(text)
  assert.ok(parsed, text)
  return parsed
}

test('addresses: IPv4 and IPv6 as numbers, in brackets or with a zone', () => {
  assert.deepEqual(address('127.0.0.1'), { family: 4, value: 0x7f000001n })
  assert.deepEqual(address('::1'), { family: 6, value: 1n })
  assert.deepEqual(address('[::1]'), { family: 6, value: 1n })
  assert.deepEqual(address('fe80::1%eth0'), address('fe80::1'))
  assert.deepEqual(address('2001:DB8::1'), address('2001:db8:0:0:0:0:0:1'))
  assert.deepEqual(address('::ffff:127.0.0.1'), { family: 6, value: 0xffff7f000001n })
  for (const text of ['', 'localhost', '1.2.3', '010.0.0.1', '256.0.0.1', '1.2.3.4%eth0', '::g', '[127.0.0.1', '1::2::3']) {
    assert.equal(parseIpAddress(text), undefined, text)
  }
})

test('an IPv4-mapped IPv6 address unmaps to its IPv4 address; nothing else does', () => {
  assert.deepEqual(unmapped(address('::ffff:10.1.2.3')), address('10.1.2.3'))
  assert.deepEqual(unmapped(address('0:0:0:0:0:ffff:a01:203')), address('10.1.2.3'))
  assert.deepEqual(unmapped(address('::10.1.2.3')), address('::10.1.2.3'))
  assert.deepEqual(unmapped(address('64:ff9b::10.1.2.3')), address('64:ff9b::10.1.2.3'))
  assert.deepEqual(unmapped(address('10.1.2.3')), address('10.1.2.3'))
})

test('ranges: CIDR or a single address, host bits cleared, prefix within the family', () => {
  assert.deepEqual(range('10.0.0.0/8'), { family: 4, network: 0x0a000000n, prefix: 8 })
  assert.deepEqual(range('10.9.8.7/8'), { family: 4, network: 0x0a000000n, prefix: 8 })
  assert.deepEqual(range('192.0.2.1'), { family: 4, network: 0xc0000201n, prefix: 32 })
  assert.deepEqual(range('fd00::/8'), { family: 6, network: 0xfdn << 120n, prefix: 8 })
  assert.deepEqual(range('::1'), { family: 6, network: 1n, prefix: 128 })
  assert.deepEqual(range('0.0.0.0/0'), { family: 4, network: 0n, prefix: 0 })
  for (const text of ['10.0.0.0/33', 'fd00::/129', '10.0.0.0/', '10.0.0.0/-1', '10.0.0.0/8/8', '10.0.0.0/255.0.0.0', 'intranet/8', '10.0.0.0/1000']) {
    assert.equal(parseIpRange(text), undefined, text)
  }
  assert.equal(ipRange(address('10.0.0.1'), 33), undefined)
  assert.equal(ipRange(address('10.0.0.1'), 1.5), undefined)
})

test('rangeContains: by prefix bits, per family, mapped IPv4 counted as IPv4', () => {
  const private10 = range('10.0.0.0/8')
  assert.ok(rangeContains(private10, address('10.0.0.0')))
  assert.ok(rangeContains(private10, address('10.255.255.255')))
  assert.ok(!rangeContains(private10, address('11.0.0.0')))
  assert.ok(!rangeContains(private10, address('9.255.255.255')))
  assert.ok(rangeContains(private10, address('::ffff:10.1.2.3')))
  assert.ok(!rangeContains(private10, address('::a01:203')), 'IPv4-compatible is not IPv4-mapped')
  const cgnat = range('100.64.0.0/10')
  assert.ok(rangeContains(cgnat, address('100.127.255.255')))
  assert.ok(!rangeContains(cgnat, address('100.128.0.0')))
  const ula = range('fc00::/7')
  assert.ok(rangeContains(ula, address('fdff:ffff::1')))
  assert.ok(!rangeContains(ula, address('fe00::1')))
  assert.ok(!rangeContains(range('::/0'), address('10.0.0.1')), 'an IPv6 range holds no IPv4 address')
  assert.ok(rangeContains(range('0.0.0.0/0'), address('203.0.113.9')))
  assert.ok(rangeContains(range('192.0.2.1'), address('192.0.2.1')))
  assert.ok(!rangeContains(range('192.0.2.1'), address('192.0.2.2')))
})

test('ipv6Groups expands :: and a dotted IPv4 tail', () => {
  assert.deepEqual(ipv6Groups('::'), [0, 0, 0, 0, 0, 0, 0, 0])
  assert.deepEqual(ipv6Groups('2001:db8::1'), [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])
  assert.deepEqual(ipv6Groups('::ffff:192.0.2.1'), [0, 0, 0, 0, 0, 0xffff, 0xc000, 0x201])
  assert.deepEqual(ipv6Groups('1:2:3:4:5:6:7:8'), [1, 2, 3, 4, 5, 6, 7, 8])
})
