import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  authorizationResponseUri,
  formActionSource,
  readParameters,
  resolveRedirectUri,
  withoutPromptLogin,
} from '../../src/domain/authorization-request.js'
import { redirectUriMatches } from '../../src/domain/redirect-uri.js'
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

test('an http loopback IP literal redirect URI matches on any port, and only on its port (RFC 8252 §7.3)', () => {
  for (const registered of ['http://127.0.0.1/cb', 'http://127.0.0.1:8080/cb']) {
    for (const given of ['http://127.0.0.1/cb', 'http://127.0.0.1:1/cb', 'http://127.0.0.1:51234/cb', 'http://127.0.0.1:65535/cb']) {
      assert.equal(redirectUriMatches(registered, given), true, `${registered} ${given}`)
    }
  }
  assert.equal(redirectUriMatches('http://[::1]/cb?x=1', 'http://[::1]:4000/cb?x=1'), true)
  assert.equal(redirectUriMatches('http://127.0.0.1', 'http://127.0.0.1:4000'), true)
  assert.equal(resolveRedirectUri(['https://a.example/cb', 'http://127.0.0.1/cb'], 'http://127.0.0.1:4000/cb'), 'http://127.0.0.1:4000/cb')
})

test('redirect URI port leniency: everything but the loopback port still matches exactly', () => {
  const registered = 'http://127.0.0.1:8080/cb?x=1'
  for (const given of [
    'http://127.0.0.1:4000/cb?x=2',
    'http://127.0.0.1:4000/cb',
    'http://127.0.0.1:4000/cb/',
    'http://127.0.0.1:4000/CB?x=1',
    'http://127.0.0.1:4000/cb?x=1#f',
    'https://127.0.0.1:4000/cb?x=1',
    'HTTP://127.0.0.1:4000/cb?x=1',
    'http://[::1]:4000/cb?x=1',
    'http://127.0.0.2:4000/cb?x=1',
    'http://127.0.0.1:4000@evil.example/cb?x=1',
    'http://127.0.0.1:4000.evil.example/cb?x=1',
    'http://127.0.0.1:/cb?x=1',
    'http://127.0.0.1:0/cb?x=1',
    'http://127.0.0.1:08080/cb?x=1',
    'http://127.0.0.1:65536/cb?x=1',
    'http://127.0.0.1:4000\\@evil.example/cb?x=1',
  ]) {
    assert.equal(redirectUriMatches(registered, given), false, given)
  }
})

test('redirect URI port leniency: localhost and https loopback URIs match exactly (RFC 8252 §8.3)', () => {
  assert.equal(redirectUriMatches('http://localhost:8080/cb', 'http://localhost:8080/cb'), true)
  assert.equal(redirectUriMatches('http://localhost:8080/cb', 'http://localhost:4000/cb'), false)
  assert.equal(redirectUriMatches('http://localhost/cb', 'http://localhost:4000/cb'), false)
  assert.equal(redirectUriMatches('https://127.0.0.1:8443/cb', 'https://127.0.0.1:4000/cb'), false)
  assert.equal(redirectUriMatches('https://a.example/cb', 'https://a.example:443/cb'), false)
  assert.equal(redirectUriMatches('https://a.example:8443/cb', 'https://a.example:9443/cb'), false)
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

test('after a sign-in forced by prompt=login, the request continues without "login" and keeps everything else', () => {
  assert.equal(withoutPromptLogin('/oauth/authorize?client_id=a&prompt=login&state=s'), '/oauth/authorize?client_id=a&state=s')
  assert.equal(withoutPromptLogin('/oauth/authorize?client_id=a&prompt=login+consent'), '/oauth/authorize?client_id=a&prompt=consent')
  assert.equal(withoutPromptLogin('/oauth/authorize?prompt=consent%20login&nonce=n'), '/oauth/authorize?prompt=consent&nonce=n')
  assert.equal(withoutPromptLogin('/oauth/authorize?state=a%26b%3Dc&prompt=login'), '/oauth/authorize?state=a%26b%3Dc')
  assert.equal(withoutPromptLogin('/oauth/authorize'), '/oauth/authorize')
})
