import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  contains,
  formatScope,
  isWriteLevelScope,
  missingScopes,
  narrow,
  parseScope,
  resolveScope,
  scopeSet,
  trustedScope,
  unknownScopes,
  type ScopeCatalogue,
  type ScopeResult,
} from '../../src/domain/scopes.js'

const catalogue: ScopeCatalogue = ['account', 'repository', 'repository:write', 'issue'].map((name) => ({ name, description: name }))

function scopesOf(result: ScopeResult): string[] {
  assert.ok(result.ok, result.ok ? '' : result.error.description)
  return [...result.scopes]
}

function errorOf(result: ScopeResult) {
  assert.ok(!result.ok, 'expected a refusal')
  return result.error
}

test('parse: space-separated tokens, each once, in canonical order (RFC 6749 §3.3: order does not matter)', () => {
  assert.deepEqual(scopesOf(parseScope('repository account')), ['account', 'repository'])
  assert.deepEqual(scopesOf(parseScope('issue account issue account')), ['account', 'issue'])
  assert.equal(formatScope(scopesOf(parseScope('b a'))), formatScope(scopesOf(parseScope('a b'))))
})

test('parse: scope tokens are case-sensitive', () => {
  assert.deepEqual(scopesOf(parseScope('Account account')), ['Account', 'account'])
})

test('parse: absent, empty and blank scopes are the empty set; runs of spaces are tolerated', () => {
  for (const text of [undefined, '', ' ', '   ']) assert.deepEqual(scopesOf(parseScope(text)), [], String(text))
  assert.deepEqual(scopesOf(parseScope('  account   issue ')), ['account', 'issue'])
})

test('parse: every NQCHAR is allowed in a token (%x21 / %x23-5B / %x5D-7E)', () => {
  let all = ''
  for (let c = 0x21; c <= 0x7e; c++) if (c !== 0x22 && c !== 0x5c) all += String.fromCharCode(c)
  assert.deepEqual(scopesOf(parseScope(all)), [all])
  assert.deepEqual(scopesOf(parseScope('repo:write https://api.example/read')), ['https://api.example/read', 'repo:write'])
})

test('parse: a double quote, backslash, tab, line break, control or non-ASCII character makes the scope malformed', () => {
  for (const text of ['bad"scope', 'bad\\scope', 'account\tissue', 'account\nissue', 'account\r', 'nul\u0000', 'del\u007f', 'compte-é', 'account\u00a0issue']) {
    const error = errorOf(parseScope(text))
    assert.equal(error.error, 'invalid_scope')
    assert.equal(error.reason, 'malformed', JSON.stringify(text))
  }
})

test('parse: a malformed scope is described by position, without echoing the input', () => {
  const error = errorOf(parseScope('account bad"scope'))
  assert.match(error.description, /position 12/)
  // error_description allows only NQSCHAR (RFC 6749 §5.2): no double quote, no backslash, no control character.
  assert.match(error.description, /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/)
})

test('format: canonical order, each scope once, single spaces; the empty set is the empty string', () => {
  assert.equal(formatScope(['repository', 'account', 'repository']), 'account repository')
  assert.equal(formatScope(new Set<string>()), '')
  assert.deepEqual([...scopeSet(['b', 'a', 'b'])], ['a', 'b'])
})

test('contains: every required scope must be held; nothing required is always met', () => {
  const held = scopeSet(['account', 'issue'])
  assert.equal(contains(held, ['account']), true)
  assert.equal(contains(held, ['account', 'issue']), true)
  assert.equal(contains(held, []), true)
  assert.equal(contains(held, ['account', 'repository']), false)
  assert.equal(contains(scopeSet([]), ['account']), false)
  // A write scope is its own scope, not a superset of the read one, nor the other way round.
  assert.equal(contains(scopeSet(['repository:write']), ['repository']), false)
  assert.equal(contains(scopeSet(['repository']), ['repository:write']), false)
})

test('missingScopes and unknownScopes name what is lacking, in canonical order', () => {
  assert.deepEqual(missingScopes(['account'], ['issue', 'account', 'workspace']), ['issue', 'workspace'])
  assert.deepEqual(unknownScopes(['admin', 'account', 'Account'], catalogue), ['Account', 'admin'])
})

test('narrow: a request within the catalogue and the app gets exactly what it asked for', () => {
  const requested = scopesOf(parseScope('repository account'))
  assert.deepEqual(scopesOf(narrow(scopeSet(requested), { catalogue, app: ['account', 'issue', 'repository'] })), ['account', 'repository'])
})

test('narrow: asking for nothing gets everything the app may have (the default of RFC 6749 §3.3)', () => {
  assert.deepEqual(scopesOf(narrow(scopeSet([]), { catalogue, app: ['issue', 'account'] })), ['account', 'issue'])
})

test('narrow: asking for nothing when nothing is allowed is invalid_scope, never a token without scopes', () => {
  const error = errorOf(narrow(scopeSet([]), { catalogue, app: [] }))
  assert.equal(error.reason, 'empty')
  assert.match(error.description, /No scope was requested and the app has none registered/)
})

test('narrow: scopes the catalogue does not define are unknown, named, and checked before the app allows', () => {
  const error = errorOf(narrow(scopeSet(['account', 'admin', 'root']), { catalogue, app: ['account'] }))
  assert.equal(error.error, 'invalid_scope')
  assert.equal(error.reason, 'unknown')
  assert.deepEqual(error.scopes, ['admin', 'root'])
  assert.equal(error.description, 'Unknown scope: admin root')
})

test('narrow: defined scopes the app was not given are not_allowed, named', () => {
  const error = errorOf(narrow(scopeSet(['account', 'repository:write']), { catalogue, app: ['account', 'repository'] }))
  assert.equal(error.reason, 'not_allowed')
  assert.deepEqual(error.scopes, ['repository:write'])
  assert.equal(error.description, 'This app may not request: repository:write')
})

test('narrow on refresh: narrower than the grant is allowed, wider is not_allowed (RFC 6749 §6)', () => {
  const limits = { catalogue, app: ['account', 'issue', 'repository'], grant: ['account', 'repository'] }
  assert.deepEqual(scopesOf(narrow(scopeSet(['account']), limits)), ['account'])
  const error = errorOf(narrow(scopeSet(['account', 'issue']), limits))
  assert.equal(error.reason, 'not_allowed')
  assert.deepEqual(error.scopes, ['issue'])
  assert.match(error.description, /granted to this refresh token: issue/)
})

test('narrow on refresh: asking for nothing gets the grant, less whatever the app or the catalogue no longer allows', () => {
  assert.deepEqual(scopesOf(narrow(scopeSet([]), { catalogue, app: ['account', 'repository', 'issue'], grant: ['account', 'repository'] })), ['account', 'repository'])
  assert.deepEqual(scopesOf(narrow(scopeSet([]), { catalogue, app: ['account'], grant: ['account', 'repository', 'retired'] })), ['account'])
  assert.equal(errorOf(narrow(scopeSet([]), { catalogue, app: ['issue'], grant: ['account'] })).reason, 'empty')
})

test('narrow: a scope the app holds but the catalogue dropped is refused as unknown', () => {
  const error = errorOf(narrow(scopeSet(['retired']), { catalogue, app: ['account', 'retired'] }))
  assert.equal(error.reason, 'unknown')
  assert.deepEqual(scopesOf(narrow(scopeSet([]), { catalogue, app: ['account', 'retired'] })), ['account'])
})

test('narrow: a long list of unknown scopes is named within a bounded description', () => {
  const many = Array.from({ length: 200 }, (_, i) => `nope-${i}`)
  const error = errorOf(narrow(scopeSet(many), { catalogue, app: [] }))
  assert.equal(error.scopes.length, 200)
  assert.ok(error.description.length < 350, `${error.description.length} characters`)
})

test('resolveScope: parse then narrow, so a malformed parameter is refused before any limit is consulted', () => {
  assert.deepEqual(scopesOf(resolveScope('issue account issue', { catalogue, app: ['account', 'issue'] })), ['account', 'issue'])
  assert.equal(errorOf(resolveScope('account\tissue', { catalogue, app: ['account', 'issue'] })).reason, 'malformed')
  assert.equal(errorOf(resolveScope('admin', { catalogue, app: ['account'] })).reason, 'unknown')
})

test('trustedScope: a stored scope string reads as its set; a malformed one grants nothing', () => {
  assert.deepEqual([...trustedScope('repository account')], ['account', 'repository'])
  assert.deepEqual([...trustedScope(undefined)], [])
  assert.deepEqual([...trustedScope('account\tadmin')], [])
})

test('write-level scopes: a name containing write, delete or admin, anywhere and in any case, can change data', () => {
  for (const name of ['repository:write', 'issue:write', 'write:repository', 'delete:repository', 'delete_repo', 'admin:org', 'admin', 'Files.ReadWrite.All', 'WRITE', 'repo.administration']) {
    assert.equal(isWriteLevelScope(name), true, name)
  }
  for (const name of ['account', 'repository', 'issue', 'workspace', 'read:org', 'repository:read', 'email', 'offline_access']) {
    assert.equal(isWriteLevelScope(name), false, name)
  }
})

const withClassic: ScopeCatalogue = [
  { name: 'read:repository', description: 'Read repositories' },
  { name: 'read:issue', description: 'Read issues' },
  { name: 'read:issue-comment', description: 'Read comments' },
  { name: 'repository', description: 'Repositories (classic)', replacedBy: ['read:repository'], deprecatedOn: '2027-06-07' },
  { name: 'issue', description: 'Issues (classic)', replacedBy: ['read:issue', 'read:issue-comment'], deprecatedOn: '2027-06-07' },
]
const DEPRECATION_DAY = Date.parse('2027-06-07T00:00:00Z')

test('deprecation window: before the day a new authorization may ask for a classic scope; from the day it is invalid_scope naming the replacements', () => {
  const app = ['repository', 'issue', 'read:repository']
  assert.deepEqual(scopesOf(narrow(scopeSet(['repository']), { catalogue: withClassic, app, newAuthorizationAt: DEPRECATION_DAY - 1 })), ['repository'])
  const error = errorOf(narrow(scopeSet(['issue', 'repository']), { catalogue: withClassic, app, newAuthorizationAt: DEPRECATION_DAY }))
  assert.equal(error.reason, 'deprecated')
  assert.deepEqual(error.scopes, ['issue', 'repository'])
  assert.equal(error.description, 'Deprecated scope: issue (deprecated on 2027-06-07; ask for read:issue read:issue-comment instead), repository (deprecated on 2027-06-07; ask for read:repository instead)')
  assert.doesNotMatch(error.description, /["\\]/, 'error_description allows no double quote or backslash')
})

test('deprecation window: asking for nothing past the day gets the granular scopes only; with none, the refusal names the replacements', () => {
  const at = DEPRECATION_DAY + 86_400_000
  assert.deepEqual(scopesOf(narrow(scopeSet([]), { catalogue: withClassic, app: ['repository', 'read:repository'], newAuthorizationAt: at })), ['read:repository'])
  assert.equal(errorOf(narrow(scopeSet([]), { catalogue: withClassic, app: ['repository'], newAuthorizationAt: at })).reason, 'deprecated')
})

test('deprecation window: a refresh (no newAuthorizationAt) keeps the grant\'s classic scopes; the gate decides what they still do', () => {
  assert.deepEqual(scopesOf(narrow(scopeSet([]), { catalogue: withClassic, app: ['repository'], grant: ['repository'] })), ['repository'])
})
