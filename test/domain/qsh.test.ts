import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { test } from 'node:test'
import { canonicalRequest, queryStringHash, queryStringHashMatches } from '../../src/domain/qsh.js'

// Two JWTs from the reference's published examples; they are only query parameters here (`jwt` is left out of the hash).
const EXAMPLE_JWT_1 =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjEzODY4OTkxMzEsImlzcyI6ImppcmE6MTU0ODk1OTUiLCJxc2giOiI4MDYzZmY0Y2ExZTQxZGY3YmM5MGM4YWI2ZDBmNjIwN2Q0OTFjZjZkYWQ3YzY2ZWE3OTdiNDYxNGI3MTkyMmU5IiwiaWF0IjoxMzg2ODk4OTUxfQ.uKqU9dTB6gKwG6jQCuXYAiMNdfNRw98Hw_IWuA5MaMo'
const EXAMPLE_JWT_2 =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjEzODY5MTEzNTYsImlzcyI6ImppcmE6MTU0ODk1OTUiLCJxc2giOiI4MDYzZmY0Y2ExZTQxZGY3YmM5MGM4YWI2ZDBmNjIwN2Q0OTFjZjZkYWQ3YzY2ZWE3OTdiNDYxNGI3MTkyMmU5IiwiaWF0IjoxMzg2OTExMTc2fQ.rAsxpHv0EvpXkhjnZnSV14EXJgDx3KSQjgYRjfKnFt8'
const HELLO_WORLD_QUERY = (jwt: string) =>
  `lic=none&tz=Australia%2FSydney&cp=%2Fjira&user_key=&loc=en-US&user_id=&jwt=${jwt}&xdm_e=http%3A%2F%2Fstorm%3A2990&xdm_c=channel-servlet-hello-world&xdm_p=1`

// Vectors from atlassian-jwt (npm `atlassian-jwt`, bitbucket.org/atlassian/atlassian-jwt-js, test/jwt.test.ts), its Express requests written as URLs.
test('atlassian-jwt vectors: canonical requests', () => {
  const repeated = 'zee_last=param&repeated=parameter 1&first=param&repeated=parameter 2&repeated=Parameter 2'
  const expected = 'GET&/path/to/service&first=param&repeated=Parameter%202,parameter%201,parameter%202&zee_last=param'
  assert.equal(canonicalRequest({ method: 'get', url: `/path/to/service?${repeated}` }), expected)
  assert.equal(canonicalRequest({ method: 'get', url: `/base/path/to/service?${repeated}`, baseUrl: 'https://bitbucket.org/base' }), expected)
  assert.equal(
    canonicalRequest({ method: 'get', url: `/hello-world?${HELLO_WORLD_QUERY(EXAMPLE_JWT_1)}`, baseUrl: '' }),
    'GET&/hello-world&cp=%2Fjira&lic=none&loc=en-US&tz=Australia%2FSydney&user_id=&user_key=&xdm_c=channel-servlet-hello-world&xdm_e=http%3A%2F%2Fstorm%3A2990&xdm_p=1',
  )
  assert.equal(canonicalRequest({ method: 'get', url: '/hello-world?a&b=foo&c' }), 'GET&/hello-world&a=&b=foo&c=')
  assert.equal(canonicalRequest({ method: 'post', url: '/jira/rest/api/2/project/jira&a=b&c=d?x=y', baseUrl: '/jira' }), 'POST&/rest/api/2/project/jira%26a=b%26c=d&x=y')
  assert.equal(canonicalRequest({ method: 'get', url: '/jira/rest/api/2/project/jira?x=y', baseUrl: '/jira' }), 'GET&/rest/api/2/project/jira&x=y')
  assert.equal(canonicalRequest({ method: 'post', url: '/rest/api/2/project&a=b?x=y' }), 'POST&/rest/api/2/project%26a=b&x=y')
})

test('atlassian-jwt vectors: hashes', () => {
  assert.equal(queryStringHash({ method: 'get', url: '/path' }), '799be84a7fa35570087163c0cd9af3abff7ac05c2c12ba0bb1d7eebc984b3ac2')
  assert.equal(queryStringHash({ method: 'get', url: '' }), 'c88caad15a1c1a900b8ac08aa9686f4e8184539bea1deda36e2f649430df3239')
  assert.equal(queryStringHash({ method: 'get', url: '/' }), 'c88caad15a1c1a900b8ac08aa9686f4e8184539bea1deda36e2f649430df3239')
  // The example the reference's "Understanding JWT" page decodes: the token's own qsh is 8063ff…
  assert.equal(queryStringHash({ method: 'get', url: `/hello-world?${HELLO_WORLD_QUERY(EXAMPLE_JWT_2)}` }), '8063ff4ca1e41df7bc90c8ab6d0f6207d491cf6dad7c66ea797b4614b71922e9')
  assert.equal(queryStringHash({ method: 'post', url: '/hello-world' }), '6f95f3738e1b037a3bebbe0ad237d80fdbc1d5ae452e98ce03a9c004c178ebb4')
})

test('atlassian-jwt vector: the parameters of a POST form body stand in for an absent query', () => {
  const formParameters = Object.fromEntries(new URLSearchParams(HELLO_WORLD_QUERY(EXAMPLE_JWT_2)))
  const request = { method: 'post', url: '/hello-world', formParameters }
  assert.equal(queryStringHash(request), 'd7e7f00660965fc15745b2c423a89b85d0853c4463faca362e0371d008eb0927')
  assert.ok(queryStringHashMatches('d7e7f00660965fc15745b2c423a89b85d0853c4463faca362e0371d008eb0927', request))
  assert.ok(queryStringHashMatches('6f95f3738e1b037a3bebbe0ad237d80fdbc1d5ae452e98ce03a9c004c178ebb4', request), 'signed without the body')
})

// Vectors from com.atlassian.jwt.core.HttpRequestCanonicalizerTest (atlassian-jwt for Java, the platform's implementation).
test('com.atlassian.jwt vectors', () => {
  assert.equal(canonicalRequest({ method: 'GET', url: '/and/more?foo=bah' }), 'GET&/and/more&foo=bah')
  assert.equal(canonicalRequest({ method: 'PUT', url: '/simple?foo=bah' }), 'PUT&/simple&foo=bah')
  assert.equal(canonicalRequest({ method: 'POST', url: '/simple?foo=humbug&foo=bah' }), 'POST&/simple&foo=bah,humbug')
  assert.equal(canonicalRequest({ method: 'GET', url: '/simple' }), 'GET&/simple&')
  assert.equal(
    canonicalRequest({ method: 'GET', url: '/and/more/?foo=humbug&first=param1&last=param%202&foo=bah&last=param%201' }),
    'GET&/and/more&first=param1&foo=bah,humbug&last=param%201,param%202',
  )
  assert.equal(canonicalRequest({ method: 'GET', url: '/some/path?foo=bah%20bah' }), 'GET&/some/path&foo=bah%20bah')
  assert.equal(canonicalRequest({ method: 'GET', url: '/some/path?foo=bah%2Bbah' }), 'GET&/some/path&foo=bah%2Bbah')
  assert.equal(canonicalRequest({ method: 'GET', url: '/some/path&a=b' }), 'GET&/some/path%26a=b&')
  assert.equal(canonicalRequest({ method: 'GET', url: '/some/path&a=b?x=y' }), 'GET&/some/path%26a=b&x=y')
  // JwtConstants' worked example, and its hash of "foo".
  assert.equal(
    canonicalRequest({ method: 'GET', url: 'http://localhost:2990/path/to/service?zee_last=param&repeated=parameter 1&first=param&repeated=parameter 2' }),
    'GET&/path/to/service&first=param&repeated=parameter%201,parameter%202&zee_last=param',
  )
  assert.equal(createHash('sha256').update('foo').digest('hex'), '2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae')
})

test('qsh is the hex SHA-256 of the canonical request', () => {
  const request = { method: 'delete', url: 'https://api.example/v1/thing?b=2&a=1' }
  assert.equal(queryStringHash(request), createHash('sha256').update('DELETE&/v1/thing&a=1&b=2').digest('hex'))
})

test('path: relative to the base URL, at a segment boundary only', () => {
  const baseUrl = 'https://vendor.example/app/'
  assert.equal(canonicalRequest({ method: 'POST', url: 'https://vendor.example/app/installed', baseUrl }), 'POST&/installed&')
  assert.equal(canonicalRequest({ method: 'POST', url: '/app/lifecycle/installed', baseUrl }), 'POST&/lifecycle/installed&')
  assert.equal(canonicalRequest({ method: 'GET', url: '/app', baseUrl }), 'GET&/&')
  assert.equal(canonicalRequest({ method: 'GET', url: '/app/', baseUrl }), 'GET&/&')
  assert.equal(canonicalRequest({ method: 'GET', url: '/application/x', baseUrl }), 'GET&/application/x&')
  assert.equal(canonicalRequest({ method: 'GET', url: '/other/x', baseUrl }), 'GET&/other/x&')
  assert.equal(canonicalRequest({ method: 'GET', url: '/x', baseUrl: 'https://gatehouse.example' }), 'GET&/x&')
  assert.equal(canonicalRequest({ method: 'GET', url: '/x', baseUrl: 'https://gatehouse.example/' }), 'GET&/x&')
})

test('path: one trailing slash dropped, kept as sent otherwise (not decoded, not normalised)', () => {
  assert.equal(canonicalRequest({ method: 'GET', url: '/a/b/' }), 'GET&/a/b&')
  assert.equal(canonicalRequest({ method: 'GET', url: '/a//' }), 'GET&/a/&')
  assert.equal(canonicalRequest({ method: 'GET', url: '/a%20b/%2F/c' }), 'GET&/a%20b/%2F/c&')
  assert.equal(canonicalRequest({ method: 'GET', url: '/a/../b' }), 'GET&/a/../b&')
  assert.equal(canonicalRequest({ method: 'GET', url: 'https://host.example:8443' }), 'GET&/&')
  assert.equal(canonicalRequest({ method: 'GET', url: 'https://host.example?x=1' }), 'GET&/&x=1')
})

test('an & in the path cannot pass for a query separator', () => {
  const inPath = queryStringHash({ method: 'GET', url: '/rest/api/2/project&a=b?x=y' })
  const inQuery = queryStringHash({ method: 'GET', url: '/rest/api/2/project?a=b&x=y' })
  assert.notEqual(inPath, inQuery)
})

test('method is upper-cased', () => {
  assert.equal(canonicalRequest({ method: 'patch', url: '/x' }), 'PATCH&/x&')
})

test('query: the jwt parameter is left out, by its exact name only', () => {
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?jwt=abc&a=1' }), 'GET&/x&a=1')
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?jwt=abc&jwt=def' }), 'GET&/x&')
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?JWT=abc&jwt_=1' }), 'GET&/x&JWT=abc&jwt_=1')
})

test('query: RFC 3986 encoding — space %20 (from + or %20), * %2A, ~ kept, UTF-8 bytes in upper-case hex', () => {
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?q=a+b' }), 'GET&/x&q=a%20b')
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?q=a%20b' }), 'GET&/x&q=a%20b')
  assert.equal(canonicalRequest({ method: 'GET', url: "/x?q=*!'()~-._" }), 'GET&/x&q=%2A%21%27%28%29~-._')
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?q=%e2%82%ac' }), 'GET&/x&q=%E2%82%AC')
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?q=é😀' }), 'GET&/x&q=%C3%A9%F0%9F%98%80')
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?a%26b=c%3Dd&e=f,g' }), 'GET&/x&a%26b=c%3Dd&e=f%2Cg')
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?path=%2Fjira%2F' }), 'GET&/x&path=%2Fjira%2F')
})

test('query: names sort by code point of their encoded form, upper case first', () => {
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?b=1&a=2&B=3&A=4' }), 'GET&/x&A=4&B=3&a=2&b=1')
  // Encoded, `a/` is `a%2F`, which sorts before `a-` (the platform's rule; atlassian-jwt would sort the raw names the other way).
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?a-=1&a/=2' }), 'GET&/x&a%2F=2&a-=1')
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?ab=1&a=2' }), 'GET&/x&a=2&ab=1')
})

test('query: repeated values sorted and joined with commas; an empty value stays', () => {
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?v=b&v=a&v=&v=B' }), 'GET&/x&v=,B,a,b')
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?v=1&w&v=1' }), 'GET&/x&v=1,1&w=')
})

test('query: the fragment is not part of the request', () => {
  assert.equal(canonicalRequest({ method: 'GET', url: '/x?a=1#b=2' }), 'GET&/x&a=1')
  assert.equal(canonicalRequest({ method: 'GET', url: '/x#?a=1' }), 'GET&/x&')
})

test('form parameters stand in only for a POST or PUT with no query', () => {
  const formParameters = { grant_type: 'urn:bitbucket:oauth2:jwt', scope: ['b', 'a'] }
  assert.equal(canonicalRequest({ method: 'POST', url: '/oauth/token', formParameters }), 'POST&/oauth/token&grant_type=urn%3Abitbucket%3Aoauth2%3Ajwt&scope=a,b')
  assert.equal(canonicalRequest({ method: 'put', url: '/x', formParameters: { a: '1', skipped: undefined } }), 'PUT&/x&a=1')
  assert.equal(canonicalRequest({ method: 'GET', url: '/x', formParameters }), 'GET&/x&')
  assert.equal(canonicalRequest({ method: 'PATCH', url: '/x', formParameters }), 'PATCH&/x&')
  assert.equal(canonicalRequest({ method: 'POST', url: '/x?q=1', formParameters }), 'POST&/x&q=1')
  // A query holding only `jwt` still counts as a query (the reference checks for parameters before dropping jwt).
  assert.equal(canonicalRequest({ method: 'POST', url: '/x?jwt=t', formParameters }), 'POST&/x&')
})

test('queryStringHashMatches: the URL form, the form-body form, and nothing else', () => {
  const request = { method: 'POST', url: 'https://gatehouse.example/oauth/token', baseUrl: 'https://gatehouse.example', formParameters: { grant_type: 'urn:bitbucket:oauth2:jwt' } }
  const withBody = queryStringHash(request)
  const withoutBody = queryStringHash({ method: 'POST', url: '/oauth/token' })
  assert.ok(queryStringHashMatches(withBody, request))
  assert.ok(queryStringHashMatches(withoutBody, request))
  assert.ok(!queryStringHashMatches(queryStringHash({ method: 'GET', url: '/oauth/token' }), request))
  assert.ok(!queryStringHashMatches(withBody, { ...request, formParameters: undefined }))
  assert.ok(!queryStringHashMatches('context-qsh', request), 'no special values')
  assert.ok(!queryStringHashMatches(withBody.toUpperCase(), request))
})
