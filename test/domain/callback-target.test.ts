import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkCallbackTarget, parseCallbackAllowlist, type CallbackAllowlist, type CallbackTarget } from '../../src/domain/callback-target.js'

const BASE_URL = 'https://vendor.example/app'
const NO_ALLOWLIST: CallbackAllowlist = { hosts: [], ranges: [] }
const PUBLIC_V4 = '93.184.215.14'
const PUBLIC_V6 = '2606:2800:21f:cb07:6820:80da:af6b:8b2c'

function target(overrides: Partial<CallbackTarget> = {}): CallbackTarget {
  return { url: `${BASE_URL}/installed`, baseUrl: BASE_URL, addresses: [PUBLIC_V4], allowlist: NO_ALLOWLIST, allowLoopback: false, ...overrides }
}

function allowlist(text: string): CallbackAllowlist {
  const parsed = parseCallbackAllowlist(text)
  assert.ok('allowlist' in parsed, 'problem' in parsed ? parsed.problem : '')
  return parsed.allowlist
}

function reasonOf(overrides: Partial<CallbackTarget>): string {
  const result = checkCallbackTarget(target(overrides))
  assert.ok(!result.ok, `expected ${Object.keys(overrides).join(', ')} to make a refusal`)
  return result.reason
}

test('a public address on the baseUrl host is allowed, IPv4 or IPv6', () => {
  assert.deepEqual(checkCallbackTarget(target()), { ok: true })
  assert.deepEqual(checkCallbackTarget(target({ addresses: [PUBLIC_V4, PUBLIC_V6] })), { ok: true })
  assert.deepEqual(checkCallbackTarget(target({ url: 'https://VENDOR.example:443/app/x?y=1' })), { ok: true }, 'the same origin, written differently')
})

test('only the baseUrl\'s scheme, host and port: a redirect elsewhere is refused', () => {
  const refused = [
    'https://evil.example/app/installed',
    'https://vendor.example.evil.example/app/installed',
    'http://vendor.example/app/installed',
    'https://vendor.example:8443/app/installed',
    'https://sub.vendor.example/app/installed',
  ]
  for (const url of refused) {
    assert.match(reasonOf({ url }), /^callbacks go only to the app's baseUrl https:\/\/vendor\.example, not to /, url)
  }
  assert.match(reasonOf({ url: 'https://user:pw@vendor.example/app/x' }), /carries user information/)
  assert.match(reasonOf({ url: 'file:///etc/passwd' }), /is not an absolute http\(s\) URL/)
  assert.match(reasonOf({ url: '/app/installed' }), /is not an absolute http\(s\) URL/)
  assert.match(reasonOf({ baseUrl: 'gopher://vendor.example' }), /baseUrl "gopher:\/\/vendor\.example" is not an absolute http\(s\) URL/)
})

test('a host that resolved to nothing, or to something that is not an address, is refused', () => {
  assert.match(reasonOf({ addresses: [] }), /did not resolve to any address/)
  assert.match(reasonOf({ addresses: ['vendor.example'] }), /resolved to "vendor\.example", which is not an IP address/)
  assert.match(reasonOf({ addresses: ['010.0.0.1'] }), /which is not an IP address/)
})

test('addresses the internet does not route are refused, naming the kind and range', () => {
  const cases: Array<[string, RegExp]> = [
    ['10.0.0.1', /a private address in 10\.0\.0\.0\/8/],
    ['10.255.255.255', /private/],
    ['172.16.0.1', /a private address in 172\.16\.0\.0\/12/],
    ['172.31.255.254', /private/],
    ['192.168.1.1', /a private address in 192\.168\.0\.0\/16/],
    ['127.0.0.1', /a loopback address in 127\.0\.0\.0\/8/],
    ['127.1.2.3', /loopback/],
    ['169.254.169.254', /a link-local address \(where cloud metadata services answer\) in 169\.254\.0\.0\/16/],
    ['0.0.0.0', /an unspecified address in 0\.0\.0\.0\/8/],
    ['0.1.2.3', /unspecified/],
    ['100.64.0.1', /a shared \(carrier-grade NAT\) address in 100\.64\.0\.0\/10/],
    ['100.127.255.254', /shared/],
    ['224.0.0.1', /a multicast address in 224\.0\.0\.0\/4/],
    ['239.255.255.250', /multicast/],
    ['255.255.255.255', /a reserved address in 240\.0\.0\.0\/4/],
    ['198.18.0.1', /reserved/],
    ['192.0.0.8', /reserved/],
    ['192.0.2.1', /a documentation address in 192\.0\.2\.0\/24/],
    ['203.0.113.7', /documentation/],
    ['::1', /a loopback address in ::1\/128/],
    ['::', /an unspecified address in ::\/128/],
    ['0:0:0:0:0:0:0:1', /loopback/],
    ['fc00::1', /a private address in fc00::\/7/],
    ['fd00:ec2::254', /private/],
    ['fe80::1', /a link-local address .* in fe80::\/10/],
    ['fe80::1%eth0', /link-local/],
    ['febf::1', /link-local/],
    ['fec0::1', /private/],
    ['ff02::1', /a multicast address in ff00::\/8/],
    ['2001:db8::1', /a documentation address in 2001:db8::\/32/],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /a reserved address in 2001::\/32/],
    ['64:ff9b:1::a00:1', /a private address in 64:ff9b:1::\/48/],
    ['::7f00:1', /a reserved address in ::\/96/],
    ['100::1', /reserved/],
    ['4000::1', /a reserved address in IPv6 space outside 2000::\/3/],
  ]
  for (const [address, expected] of cases) {
    const reason = reasonOf({ addresses: [address] })
    assert.ok(reason.startsWith(`the host vendor.example resolves to ${address}, `), reason)
    assert.match(reason, expected, address)
    assert.match(reason, /GATEHOUSE_CALLBACK_ALLOWLIST names the host or a range holding the address/)
  }
})

test('IPv4 written inside IPv6 is judged as the IPv4 address', () => {
  for (const address of ['::ffff:127.0.0.1', '::ffff:7f00:1', '0:0:0:0:0:ffff:7f00:1', '::FFFF:127.0.0.1']) {
    assert.match(reasonOf({ addresses: [address] }), /a loopback address in 127\.0\.0\.0\/8/, address)
  }
  assert.match(reasonOf({ addresses: ['::ffff:169.254.169.254'] }), /link-local/)
  assert.match(reasonOf({ addresses: ['::ffff:10.1.2.3'] }), /private address in 10\.0\.0\.0\/8/)
  assert.match(reasonOf({ addresses: ['::ffff:0.0.0.0'] }), /unspecified/)
  // NAT64 (64:ff9b::/96) and 6to4 (2002::/16) reach the IPv4 address they carry.
  assert.match(reasonOf({ addresses: ['64:ff9b::10.0.0.1'] }), /private address in 10\.0\.0\.0\/8/)
  assert.match(reasonOf({ addresses: ['64:ff9b::a9fe:a9fe'] }), /link-local/)
  assert.match(reasonOf({ addresses: ['2002:7f00:1::1'] }), /loopback address in 127\.0\.0\.0\/8/)
  assert.match(reasonOf({ addresses: ['2002:c0a8:101::'] }), /private address in 192\.168\.0\.0\/16/)
  // …and a public IPv4 address inside them is public.
  for (const address of ['::ffff:93.184.215.14', '64:ff9b::5db8:d70e', '2002:5db8:d70e::1']) {
    assert.deepEqual(checkCallbackTarget(target({ addresses: [address] })), { ok: true }, address)
  }
})

test('every resolved address must pass: one private address among public ones refuses the host', () => {
  assert.match(reasonOf({ addresses: [PUBLIC_V4, '10.0.0.5', PUBLIC_V6] }), /resolves to 10\.0\.0\.5, a private address/)
  assert.match(reasonOf({ addresses: [PUBLIC_V6, '::1'] }), /resolves to ::1, a loopback address/)
})

test('loopback, and only loopback, is allowed when Gatehouse listens on loopback', () => {
  const local = { url: 'http://127.0.0.1:4100/installed', baseUrl: 'http://127.0.0.1:4100', allowLoopback: true }
  for (const address of ['127.0.0.1', '::1', '::ffff:127.0.0.1', '127.0.0.53']) {
    assert.deepEqual(checkCallbackTarget(target({ ...local, addresses: [address] })), { ok: true }, address)
  }
  assert.deepEqual(checkCallbackTarget(target({ url: 'http://localhost:4100/x', baseUrl: 'http://localhost:4100', addresses: ['127.0.0.1', '::1'], allowLoopback: true })), { ok: true })
  for (const address of ['10.0.0.1', '169.254.169.254', '0.0.0.0', '::', 'fe80::1', '192.168.0.10']) {
    assert.equal(checkCallbackTarget(target({ ...local, addresses: [address] })).ok, false, address)
  }
  assert.match(reasonOf({ ...local, allowLoopback: false, addresses: ['127.0.0.1'] }), /a loopback address .*, or Gatehouse itself listens on loopback$/)
  assert.doesNotMatch(reasonOf({ addresses: ['10.0.0.1'] }), /listens on loopback/)
})

test('the allowlist admits a host by name (all its addresses) or an address by range', () => {
  const byHost = allowlist('vendor.example')
  assert.deepEqual(checkCallbackTarget(target({ allowlist: byHost, addresses: ['10.0.0.5', '169.254.1.1'] })), { ok: true })
  assert.equal(checkCallbackTarget(target({ url: 'https://other.example/x', baseUrl: 'https://other.example', allowlist: byHost, addresses: ['10.0.0.5'] })).ok, false)

  const byRange = allowlist('10.20.0.0/16, fd00:1::/64')
  assert.deepEqual(checkCallbackTarget(target({ allowlist: byRange, addresses: ['10.20.3.4', 'fd00:1::7'] })), { ok: true })
  assert.deepEqual(checkCallbackTarget(target({ allowlist: byRange, addresses: ['::ffff:10.20.3.4'] })), { ok: true }, 'a mapped address is in an IPv4 range')
  assert.match(reasonOf({ allowlist: byRange, addresses: ['10.20.3.4', '10.21.0.1'] }), /resolves to 10\.21\.0\.1/)
  assert.match(reasonOf({ allowlist: byRange, addresses: ['fd00:2::1'] }), /resolves to fd00:2::1/)

  const single = allowlist('169.254.169.254')
  assert.deepEqual(checkCallbackTarget(target({ allowlist: single, addresses: ['169.254.169.254'] })), { ok: true })
  assert.equal(checkCallbackTarget(target({ allowlist: single, addresses: ['169.254.169.253'] })).ok, false)
  // The allowlist widens which addresses are reachable, never which host.
  assert.equal(checkCallbackTarget(target({ url: 'https://evil.example/x', allowlist: allowlist('evil.example') })).ok, false)
})

test('allowlist parsing: hosts, addresses and CIDR ranges, by comma or space', () => {
  const parsed = allowlist(' Apps.Internal.example., 10.0.0.0/8 fd00::/8,[fd00:1::1],192.168.1.10 localhost,bücher.example,apps.internal.example ')
  assert.deepEqual(parsed.hosts, ['apps.internal.example', 'localhost', 'xn--bcher-kva.example'])
  assert.deepEqual(parsed.ranges.map((r) => [r.family, r.prefix]), [[4, 8], [6, 8], [6, 128], [4, 32]])
  assert.deepEqual(allowlist(''), { hosts: [], ranges: [] })
  assert.deepEqual(allowlist(' , '), { hosts: [], ranges: [] })
})

test('allowlist parsing: each refused entry is named with what to write instead', () => {
  const cases: Array<[string, RegExp]> = [
    ['0.0.0.0/0', /"0\.0\.0\.0\/0", which is every address/],
    ['::/0', /"::\/0", which is every address/],
    ['10.0.0.0/33', /"10\.0\.0\.0\/33", whose prefix length must be a number from 1 to 32/],
    ['fd00::/129', /whose prefix length must be a number from 1 to 128/],
    ['10.0.0.0/x', /prefix length/],
    ['10.1.2.3/8', /"10\.1\.2\.3\/8", whose address has bits set beyond the \/8 prefix; write the range's first address, e.g. 10\.0\.0\.0\/8/],
    ['fd00::1/8', /e\.g\. fd00::\/8/],
    ['intranet/8', /"intranet\/8", which is not a CIDR range/],
    ['fd00::zz/64', /which is not a CIDR range/],
    ['fd00::zz', /not a host name/],
    ['https://apps.example', /write a host name without scheme, port or wildcard/],
    ['apps.example:8080', /without scheme, port or wildcard/],
    ['*.apps.example', /without scheme, port or wildcard/],
    ['user@apps.example', /without scheme, port or wildcard/],
    ['10.0.0.300', /"10\.0\.0\.300", which is not a host name, an IP address or a CIDR range/],
    ['-apps.example', /not a host name/],
    ['apps..example', /not a host name/],
    ['0x7f.1', /not a host name/],
  ]
  for (const [value, expected] of cases) {
    const parsed = parseCallbackAllowlist(`good.example,${value}`)
    assert.ok('problem' in parsed, value)
    assert.match(parsed.problem, /^has "/, value)
    assert.match(parsed.problem, expected, value)
  }
  const problem = (parseCallbackAllowlist('nope!') as { problem: string }).problem
  assert.match(problem, /e\.g\. GATEHOUSE_CALLBACK_ALLOWLIST=apps\.internal\.example,10\.20\.0\.0\/16,fd00:1::\/64/)
})
