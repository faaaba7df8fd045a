import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseAuthorization, type Credential } from '../../src/domain/credentials.js'

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl'
const basicOf = (text: string) => `Basic ${Buffer.from(text, 'utf8').toString('base64')}`

function reasonOf(credential: Credential, scheme: string): string {
  assert.equal(credential.kind, 'malformed', JSON.stringify(credential))
  assert.ok(credential.kind === 'malformed')
  assert.equal(credential.scheme, scheme)
  return credential.reason
}

test('no header, an empty one or one of only spaces is no credential', () => {
  for (const header of [undefined, '', ' ', ' \t ']) assert.deepEqual(parseAuthorization(header), { kind: 'none' })
})

test('Bearer: the token after the scheme (RFC 6750 §2.1)', () => {
  assert.deepEqual(parseAuthorization(`Bearer ${JWT}`), { kind: 'bearer', token: JWT })
  assert.deepEqual(parseAuthorization('Bearer gth_pat_abc123'), { kind: 'bearer', token: 'gth_pat_abc123' })
  assert.deepEqual(parseAuthorization('Bearer abc+/def=='), { kind: 'bearer', token: 'abc+/def==' })
})

test('the scheme is case-insensitive (RFC 9110 §11.1)', () => {
  for (const scheme of ['bearer', 'BEARER', 'BeArEr']) assert.deepEqual(parseAuthorization(`${scheme} ${JWT}`), { kind: 'bearer', token: JWT })
  assert.equal(parseAuthorization(basicOf('ada:pw').replace('Basic', 'bASIC')).kind, 'basic')
})

test('spacing: runs of spaces after the scheme, and spaces or tabs around the value, are tolerated', () => {
  for (const header of [`Bearer  ${JWT}`, `Bearer     ${JWT}`, ` Bearer ${JWT} `, `\tBearer ${JWT}\t`, `Bearer\t${JWT}`]) {
    assert.deepEqual(parseAuthorization(header), { kind: 'bearer', token: JWT }, JSON.stringify(header))
  }
})

test('Bearer without a token, or with more than one, is malformed', () => {
  assert.match(reasonOf(parseAuthorization('Bearer'), 'bearer'), /needs a token/)
  assert.match(reasonOf(parseAuthorization('Bearer   '), 'bearer'), /needs a token/)
  for (const header of ['Bearer a b', `Bearer ${JWT} ${JWT}`, 'Bearer a, Basic b']) {
    assert.match(reasonOf(parseAuthorization(header), 'bearer'), /malformed/, JSON.stringify(header))
  }
})

test("Bearer's characters are left to the authenticator, which checks the token's exact form anyway", () => {
  // Not scanned per character on the gate's hot path; no such token passes a signature or checksum check.
  assert.deepEqual(parseAuthorization('Bearer tökén"'), { kind: 'bearer', token: 'tökén"' })
})

test('Basic: user-id and password split at the first colon (RFC 7617 §2)', () => {
  assert.deepEqual(parseAuthorization(basicOf('ada:correct horse')), { kind: 'basic', username: 'ada', password: 'correct horse' })
  assert.deepEqual(parseAuthorization(basicOf('ada:pass:with:colons')), { kind: 'basic', username: 'ada', password: 'pass:with:colons' })
  assert.deepEqual(parseAuthorization(basicOf(':')), { kind: 'basic', username: '', password: '' })
  assert.deepEqual(parseAuthorization(basicOf('Zoë:pässwörd')), { kind: 'basic', username: 'Zoë', password: 'pässwörd' }, 'UTF-8 (RFC 7617 §2.1)')
})

test('Basic: base64 with or without its padding', () => {
  const padded = basicOf('ad:pw')
  assert.ok(padded.endsWith('='))
  assert.deepEqual(parseAuthorization(padded.replace(/=+$/, '')), { kind: 'basic', username: 'ad', password: 'pw' })
})

test('Basic: not base64, no colon, not UTF-8 or with control characters is malformed', () => {
  assert.match(reasonOf(parseAuthorization('Basic'), 'basic'), /malformed/)
  assert.match(reasonOf(parseAuthorization('Basic !!!'), 'basic'), /malformed/)
  assert.match(reasonOf(parseAuthorization('Basic YWRh OnB3'), 'basic'), /malformed/)
  assert.match(reasonOf(parseAuthorization('Basic YWRhOnB3='), 'basic'), /malformed/, 'padding that does not fit')
  assert.match(reasonOf(parseAuthorization('Basic Y'), 'basic'), /malformed/, 'a lone sextet is no base64')
  assert.match(reasonOf(parseAuthorization(basicOf('no-colon')), 'basic'), /no ":"/)
  assert.match(reasonOf(parseAuthorization(`Basic ${Buffer.from([0x61, 0x3a, 0xff, 0xfe]).toString('base64')}`), 'basic'), /UTF-8/)
  assert.match(reasonOf(parseAuthorization(basicOf('ada:pw\nX-Injected: 1')), 'basic'), /control/)
  assert.match(reasonOf(parseAuthorization(basicOf('a\u0000da:pw')), 'basic'), /control/)
})

test('Basic for OAuth clients: both parts are form-decoded (RFC 6749 §2.3.1)', () => {
  const options = { basic: 'form-encoded' } as const
  assert.deepEqual(parseAuthorization(basicOf('my+app%3A1:s%2Bcr%25t+x'), options), { kind: 'basic', username: 'my app:1', password: 's+cr%t x' })
  assert.deepEqual(parseAuthorization(basicOf('my+app:s+x')), { kind: 'basic', username: 'my+app', password: 's+x' }, 'plain Basic leaves them alone')
  assert.match(reasonOf(parseAuthorization(basicOf('%zz:secret'), options), 'basic'), /%-escape/)
  assert.match(reasonOf(parseAuthorization(basicOf('app:%00'), options), 'basic'), /control/)
})

test('other schemes are handed on with the scheme in lower case and the value as sent', () => {
  assert.deepEqual(parseAuthorization(`JWT ${JWT}`), { kind: 'other', scheme: 'jwt', value: JWT })
  assert.deepEqual(parseAuthorization('Digest username="ada", realm="x"'), { kind: 'other', scheme: 'digest', value: 'username="ada", realm="x"' })
  assert.deepEqual(parseAuthorization('Bearertoken'), { kind: 'other', scheme: 'bearertoken', value: '' })
})

test('a header that does not start with a scheme is malformed, with no scheme', () => {
  for (const header of ['=abc', '"Bearer" x', 'Bearer/1 x', '(x) y', 'Bé x']) {
    assert.match(reasonOf(parseAuthorization(header), ''), /start with a scheme/, JSON.stringify(header))
  }
})

test('no backtracking hazard: long hostile headers are read in one linear pass', () => {
  // Shapes that make naive regular expressions (\s+, (\S*)\s*$) backtrack; each is rejected or read normally.
  const long = 200_000
  assert.equal(parseAuthorization(`Bearer ${'a'.repeat(long)} x`).kind, 'malformed')
  assert.equal(parseAuthorization(`Basic ${' '.repeat(long)}!`).kind, 'malformed')
  assert.equal(parseAuthorization(`Basic ${'A'.repeat(long)}${'='.repeat(long)}`).kind, 'malformed')
  assert.deepEqual(parseAuthorization(`Bearer ${'a'.repeat(long)}${' '.repeat(long)}`), { kind: 'bearer', token: 'a'.repeat(long) })
})
