import assert from 'node:assert/strict'
import { test } from 'node:test'
import { crc32 } from 'node:zlib'
import { hashSecret, hashesEqual, kindCodes, parseOpaqueToken, secretFormat, secretPrefixProblem, type TokenKind } from '../../src/domain/opaque-token.js'

const kinds = Object.keys(kindCodes) as TokenKind[]

test('generated secrets read <prefix>_<kind code>_<body><checksum> and parse back to their kind', () => {
  for (const prefix of ['gth', 'acme', 'x9']) {
    const format = secretFormat(prefix)
    for (const kind of kinds) {
      const token = format.generate(kind)
      assert.match(token, new RegExp(`^${prefix}_${kindCodes[kind]}_[0-9A-Za-z]{49}$`))
      assert.equal(parseOpaqueToken(token), kind)
    }
  }
  assert.ok(secretFormat().generate('refreshToken').startsWith('gth_rt_'), 'the default family is gth_')
})

test('a secret minted under another deployment prefix is still recognised: changing the prefix invalidates nothing', () => {
  const before = secretFormat('acme').generate('session')
  secretFormat('globex')
  assert.equal(parseOpaqueToken(before), 'session')
})

test('a secret with one character changed, cut short, or with its kind code swapped fails its checksum', () => {
  const token = secretFormat().generate('refreshToken')
  const i = 12
  const changed = token.slice(0, i) + (token[i] === 'a' ? 'b' : 'a') + token.slice(i + 1)
  assert.equal(parseOpaqueToken(changed), undefined)
  assert.equal(parseOpaqueToken(token.slice(0, -1)), undefined)
  assert.equal(parseOpaqueToken(token.replace('_rt_', '_ss_')), undefined, 'the checksum covers the kind code')
  assert.equal(parseOpaqueToken(token.replace('gth_', 'acme_')), undefined, 'and the prefix')
  assert.equal(parseOpaqueToken('gth_rt_short'), undefined)
  assert.equal(parseOpaqueToken(`gth_zz_${token.slice(7)}`), undefined, 'an unknown kind code')
  assert.equal(parseOpaqueToken('something-else'), undefined)
  assert.equal(parseOpaqueToken('x'.repeat(10_000)), undefined)
})

test('secrets issued by the first release (ghr_, ghss_, …) keep working until they expire, and are never minted', () => {
  // The first release's format: prefix + 43 base62 characters + a base62 CRC32 of both.
  const legacy = (prefix: string) => {
    const body = 'A'.repeat(43)
    let value = BigInt(crc32(prefix + body) >>> 0)
    let checksum = ''
    while (checksum.length < 6) {
      checksum = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'[Number(value % 62n)] + checksum
      value /= 62n
    }
    return prefix + body + checksum
  }
  assert.equal(parseOpaqueToken(legacy('ghr_')), 'refreshToken')
  assert.equal(parseOpaqueToken(legacy('ghss_')), 'session')
  assert.equal(parseOpaqueToken(legacy('ghcs_')), 'clientSecret')
  assert.equal(parseOpaqueToken(legacy('ghrt_')), 'registrationToken')
  assert.equal(parseOpaqueToken(legacy('ghac_')), 'authorizationCode')
  assert.equal(parseOpaqueToken(legacy('ghr_').replace('AAAA', 'AAAB')), undefined)
  for (const kind of kinds) assert.doesNotMatch(secretFormat().generate(kind), /^gh/)
})

test('a deployment prefix may not be malformed nor another vendor\'s', () => {
  for (const good of ['gth', 'acme', 'corp2', 'skyline', 'opal']) assert.equal(secretPrefixProblem(good), undefined, good)
  for (const bad of ['', 'g', 'GTH', 'gth_', 'a-b', '1abc', 'abcdefghijk']) assert.match(secretPrefixProblem(bad)!, /lowercase/, bad)
  for (const vendor of ['ghp', 'gho', 'ghs', 'ghr', 'ghu', 'github', 'gh', 'xoxb', 'xoxp', 'akia', 'asia', 'glpat', 'sk', 'pk', 'rk', 'npm', 'hf']) {
    assert.match(secretPrefixProblem(vendor)!, /vendor/, vendor)
  }
  assert.throws(() => secretFormat('ghp'), /vendor/)
})

test('secrets are unique and hashes compare in constant time', () => {
  const format = secretFormat()
  const a = format.generate('clientSecret')
  const b = format.generate('clientSecret')
  assert.notEqual(a, b)
  assert.equal(hashSecret(a).length, 64)
  assert.ok(hashesEqual(hashSecret(a), hashSecret(a)))
  assert.ok(!hashesEqual(hashSecret(a), hashSecret(b)))
  assert.ok(!hashesEqual(hashSecret(a), 'abcd'))
})
