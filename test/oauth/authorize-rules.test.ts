import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  authorizationResponseUri,
  formActionSource,
  readParameters,
  resolveRedirectUri,
} from '../../src/domain/authorization-request.js'
import { safeReturnTo } from '../../src/domain/return-to.js'

test('redirect URIs match exactly, and an omitted one is only inferred when a single one is registered', () => {
  const one = ['https://a.example/cb']
  assert.equal(resolveRedirectUri(one, 'https://a.example/cb'), 'https://a.example/cb')
  assert.equal(resolveRedirectUri(one, undefined), 'https://a.example/cb')
  assert.equal(resolveRedirectUri(one, 'https://a.example/cb/'), undefined)
  assert.equal(resolveRedirectUri(one, 'https://a.example/CB'), undefined)
  assert.equal(resolveRedirectUri(one, 'https://a.example/cb?x'), undefined)
  assert.equal(resolveRedirectUri([...one, 'https://b.example/cb'], undefined), undefined)
  assert.equal(resolveRedirectUri([], undefined), undefined)
})

test('parameters: empty values count as absent, repeated names are reported, unknown ones are ignored', () => {
  const { parameters, repeated } = readParameters({ client_id: 'c', state: '', scope: ['a', 'b'], nonce: 'n' })
  assert.deepEqual(parameters, { client_id: 'c' })
  assert.deepEqual(repeated, ['scope'])
})

test('response parameters are appended after the registered query, which is kept as it was', () => {
  assert.equal(authorizationResponseUri('https://a.example/cb', { code: 'x y', state: undefined, iss: 'https://as.example' }), 'https://a.example/cb?code=x+y&iss=https%3A%2F%2Fas.example')
  assert.equal(authorizationResponseUri('https://a.example/cb?t=a%20b&u', { code: 'c' }), 'https://a.example/cb?t=a%20b&u&code=c')
  assert.equal(authorizationResponseUri('com.example.app:/callback', { code: 'c' }), 'com.example.app:/callback?code=c')
})

test('the form-action source is the origin for web apps and the scheme for native ones', () => {
  assert.equal(formActionSource('https://a.example:8443/cb?x=1'), 'https://a.example:8443')
  assert.equal(formActionSource('http://127.0.0.1:5000/cb'), 'http://127.0.0.1:5000')
  assert.equal(formActionSource('com.example.app:/callback'), 'com.example.app:')
  assert.equal(formActionSource('https://[::1]:8080/cb'), 'https://[::1]:8080')
})

test('CSP injection: a redirect URI whose host carries policy syntax does not widen the policy', () => {
  assert.equal(formActionSource("https://a.example;script-src/cb"), undefined)
  assert.equal(formActionSource('https://a,b.example/cb'), undefined)
  assert.equal(formActionSource("https://a'b.example/cb"), undefined)
})

test('open redirect: return_to accepts only paths on this site', () => {
  assert.equal(safeReturnTo('/oauth/authorize?client_id=x&state=%2F%2Fevil'), '/oauth/authorize?client_id=x&state=%2F%2Fevil')
  assert.equal(safeReturnTo(undefined), '/')
  for (const unsafe of ['https://evil.example', '//evil.example', '/\\evil.example', '/\t/evil.example', '/\n/evil.example', 'evil', '', 'javascript:alert(1)']) {
    assert.equal(safeReturnTo(unsafe), '/', JSON.stringify(unsafe))
  }
})
