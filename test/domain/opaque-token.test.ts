import assert from 'node:assert/strict'
import { test } from 'node:test'
import { generateOpaqueToken, hashSecret, hashesEqual, parseOpaqueToken, tokenPrefixes } from '../../src/domain/opaque-token.js'

test('generated tokens carry their prefix and a valid checksum', () => {
  for (const kind of Object.keys(tokenPrefixes) as (keyof typeof tokenPrefixes)[]) {
    const token = generateOpaqueToken(kind)
    assert.ok(token.startsWith(tokenPrefixes[kind]))
    assert.equal(parseOpaqueToken(token), kind)
  }
})

test('a token with one character changed fails its checksum', () => {
  const token = generateOpaqueToken('refreshToken')
  const i = 10
  const changed = token.slice(0, i) + (token[i] === 'a' ? 'b' : 'a') + token.slice(i + 1)
  assert.equal(parseOpaqueToken(changed), undefined)
  assert.equal(parseOpaqueToken(token.slice(0, -1)), undefined)
  assert.equal(parseOpaqueToken('ghr_short'), undefined)
  assert.equal(parseOpaqueToken('something-else'), undefined)
})

test('tokens are unique and hashes compare in constant time', () => {
  const a = generateOpaqueToken('clientSecret')
  const b = generateOpaqueToken('clientSecret')
  assert.notEqual(a, b)
  assert.equal(hashSecret(a).length, 64)
  assert.ok(hashesEqual(hashSecret(a), hashSecret(a)))
  assert.ok(!hashesEqual(hashSecret(a), hashSecret(b)))
  assert.ok(!hashesEqual(hashSecret(a), 'abcd'))
})
