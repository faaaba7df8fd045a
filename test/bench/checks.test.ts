import assert from 'node:assert/strict'
import { test } from 'node:test'
import { checkCurrentUser, checkHelloWorld, checkIntrospection, checkIssuance } from '../../bench/checks.js'

// The benchmark's response checks, not the benchmark: a check that let a refusal through would let it flatter.

const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'

test('introspection: "active":false, another client, an error or a non-200 is rejected; active:true for the client passes', () => {
  const own = { clientId: 'app-1' }
  assert.equal(checkIntrospection(200, JSON.stringify({ active: true, client_id: 'app-1', scope: 'account' }), own), undefined)
  assert.match(checkIntrospection(200, '{"active":false}', own)!, /active/)
  assert.match(checkIntrospection(200, JSON.stringify({ active: true, client_id: 'app-2' }), own)!, /client_id/)
  assert.match(checkIntrospection(200, JSON.stringify({ active: 'true', client_id: 'app-1' }), own)!, /active/)
  assert.match(checkIntrospection(401, '{"error":"invalid_client"}', own)!, /status 401/)
  assert.match(checkIntrospection(200, 'not json', own)!, /active/)
})

test('issuance: a response without an access token, of the wrong form, or a 429 is rejected', () => {
  const ok = { access_token: jwt, token_type: 'Bearer', expires_in: 3600 }
  assert.equal(checkIssuance(200, JSON.stringify(ok), { format: 'jwt' }), undefined)
  assert.equal(checkIssuance(200, JSON.stringify({ ...ok, access_token: 'opaque-value', token_type: 'bearer' }), { format: 'opaque' }), undefined)
  assert.match(checkIssuance(429, '{"error":"invalid_request"}', { format: 'jwt' })!, /status 429/)
  assert.match(checkIssuance(200, JSON.stringify({ ...ok, access_token: '' }), { format: 'jwt' })!, /access_token/)
  assert.match(checkIssuance(200, JSON.stringify({ token_type: 'Bearer', expires_in: 3600 }), { format: 'jwt' })!, /access_token/)
  assert.match(checkIssuance(200, JSON.stringify({ ...ok, token_type: 'DPoP' }), { format: 'jwt' })!, /Bearer/)
  assert.match(checkIssuance(200, JSON.stringify({ ...ok, expires_in: 0 }), { format: 'jwt' })!, /expires_in/)
  assert.match(checkIssuance(200, JSON.stringify({ ...ok, access_token: 'opaque-value' }), { format: 'jwt' })!, /JWT/)
  assert.match(checkIssuance(200, JSON.stringify(ok), { format: 'opaque' })!, /opaque/)
})

test('gateway: anything but 200 with the expected body is rejected', () => {
  assert.equal(checkHelloWorld(200, '{"hello":"world"}'), undefined)
  assert.match(checkHelloWorld(401, '{"error":{"code":"invalid_token","message":"…"}}')!, /status 401/)
  assert.match(checkHelloWorld(200, '{"hello":"world","extra":1}')!, /hello/)
  assert.match(checkHelloWorld(200, '')!, /hello/)
  assert.equal(checkCurrentUser(200, JSON.stringify({ type: 'user', username: 'bench-001' }), { username: 'bench-001' }), undefined)
  assert.match(checkCurrentUser(200, JSON.stringify({ type: 'user', username: 'bench-002' }), { username: 'bench-001' })!, /bench-001/)
  assert.match(checkCurrentUser(404, '{"error":{"code":"not_found"}}', { username: 'bench-001' })!, /status 404/)
})
