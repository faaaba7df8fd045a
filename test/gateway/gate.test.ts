import assert from 'node:assert/strict'
import { after, before, beforeEach, test } from 'node:test'
import { SignJWT, decodeProtectedHeader, generateKeyPair, type JWTPayload } from 'jose'
import { AccessTokens } from '../../src/oauth/access-token.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { makeCaller, type Caller } from '../platform/fixtures.js'

// A clock the tests move: tokens are issued and checked against it.
let now = Date.now()
const clock = { now: () => now }

let t: TestApp
let ada: Caller

before(async () => {
  t = await startTestApp({}, { clock })
  ada = await makeCaller(t.app, 'ada')
})
beforeEach(() => (now = Date.now()))
after(() => t.close())

function getUser(authorization?: string) {
  return t.app.inject({ url: '/2.0/user', headers: authorization === undefined ? {} : { authorization } })
}

async function issue(scope = 'account', grantId?: string) {
  return t.app.accessTokens.issue({ subject: ada.id, clientId: 'test-app', scope, grantId })
}

/** Signs `claims` with Gatehouse's own key and kid, so only the header or claim under test can make it fail. */
async function signWithOurKey(claims: JWTPayload, header: { typ?: string } = {}): Promise<string> {
  const { kid } = decodeProtectedHeader((await issue()).token)
  const { privateKey } = t.app.signingKeys.signingKey()
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt', ...header }).sign(privateKey)
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

function assertInvalidToken(response: Awaited<ReturnType<typeof getUser>>, description: RegExp) {
  assert.equal(response.statusCode, 401)
  const challenge = response.headers['www-authenticate'] as string
  assert.match(challenge, /^Bearer error="invalid_token", error_description="/)
  assert.match(challenge, description)
  assert.equal(response.json().error.code, 'invalid_token')
}

test('a valid token reaches the API as its user', async () => {
  const { token } = await issue()
  const response = await getUser(`Bearer ${token}`)
  assert.equal(response.statusCode, 200)
  assert.equal(response.json().username, 'ada')
})

test('the Bearer scheme is matched case-insensitively (RFC 6750 §2.1)', async () => {
  const { token } = await issue()
  assert.equal((await getUser(`bearer ${token}`)).statusCode, 200)
  assert.equal((await getUser(`BEARER ${token}`)).statusCode, 200)
})

test('no credentials: 401 with a bare Bearer challenge and no error code (RFC 6750 §3.1)', async () => {
  for (const authorization of [undefined, '']) {
    const response = await getUser(authorization)
    assert.equal(response.statusCode, 401)
    assert.equal(response.headers['www-authenticate'], 'Bearer realm="gatehouse"')
    assert.equal(response.json().error.code, 'ERR_UNAUTHENTICATED')
  }
})

test('a malformed Authorization header or token is invalid_token', async () => {
  for (const authorization of ['Basic YWRhOnNlY3JldA==', 'Bearer', 'Bearer ', 'Bearer a b', 'Bearertoken', 'Bearer not-a-jwt', 'Bearer a.b.c']) {
    assertInvalidToken(await getUser(authorization), /error_description="[^"]+"/)
  }
})

test('a credential of a form no authenticator takes is invalid_token saying which forms are accepted', async () => {
  for (const authorization of ['Basic YWRhOnNlY3JldA==', 'Bearer not-a-jwt', 'Bearer gth_pat_0123456789', 'Bearertoken']) {
    assertInvalidToken(await getUser(authorization), /send one of Authorization: Bearer <access token>; Authorization: JWT <app JWT [^"]*>"/)
  }
  // The JWT scheme is the installed apps' authenticator's (src/installations): it reads the token and refuses it.
  assertInvalidToken(await getUser('JWT a.b.c'), /app JWT is not a well-formed JWT/)
})

test('bad signature: a token signed by another key under our kid is refused', async () => {
  const { token } = await issue()
  const [header, payload] = token.split('.')
  const { privateKey } = await generateKeyPair('ES256')
  const kid = JSON.parse(Buffer.from(header, 'base64url').toString()).kid
  const forged = await new SignJWT(JSON.parse(Buffer.from(payload, 'base64url').toString()))
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
    .sign(privateKey)
  assertInvalidToken(await getUser(`Bearer ${forged}`), /signature/)
  const unknownKid = await new SignJWT(JSON.parse(Buffer.from(payload, 'base64url').toString()))
    .setProtectedHeader({ alg: 'ES256', kid: 'someone-elses', typ: 'at+jwt' })
    .sign(privateKey)
  assertInvalidToken(await getUser(`Bearer ${unknownKid}`), /unknown key/)
})

test('a token signed by hand with our key, kid and claims is accepted (the control for the forgeries below)', async () => {
  const { claims } = await issue()
  assert.equal((await getUser(`Bearer ${await signWithOurKey({ ...claims })}`)).statusCode, 200)
})

test('alg confusion: unsigned and HMAC tokens under our kid are refused', async () => {
  const { token, claims } = await issue()
  const { kid } = decodeProtectedHeader(token)
  assert.ok(kid)
  const none = `${base64url({ alg: 'none', kid, typ: 'at+jwt' })}.${base64url(claims)}.`
  // The classic confusion: HMAC keyed with the public key, which anyone can fetch from the JWKS.
  const publicJwk = t.app.signingKeys.jwks().keys.find((key) => key.kid === kid)
  assert.ok(publicJwk)
  const hmac = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', kid, typ: 'at+jwt' })
    .sign(new TextEncoder().encode(JSON.stringify(publicJwk)))
  for (const forged of [none, hmac]) {
    const response = await getUser(`Bearer ${forged}`)
    assertInvalidToken(response, /error_description="[^"]+"/)
    // Refused for its algorithm, not for an unrelated reason such as the kid.
    assert.doesNotMatch(response.headers['www-authenticate'] as string, /unknown key/)
  }
})

test('jwt type confusion: a token of another type signed with our key is refused (RFC 9068 §4)', async () => {
  const { claims } = await issue()
  for (const typ of ['JWT', 'id_token+jwt', 'application/jwt']) {
    assertInvalidToken(await getUser(`Bearer ${await signWithOurKey({ ...claims }, { typ })}`), /typ/)
  }
})

test('jwt issuer validation: a token naming another issuer is refused even when signed with our key', async () => {
  const { claims } = await issue()
  assertInvalidToken(await getUser(`Bearer ${await signWithOurKey({ ...claims, iss: 'https://other.example' })}`), /iss/)
})

test('jwt audience validation: a token for another audience is refused even when signed with our key', async () => {
  const { claims } = await issue()
  for (const aud of ['https://other.example/api', ['https://other.example/api']]) {
    assertInvalidToken(await getUser(`Bearer ${await signWithOurKey({ ...claims, aud })}`), /aud/)
  }
})

test('jwt audience validation: a token for another API is refused', async () => {
  const elsewhere = new AccessTokens(t.app.signingKeys, clock, { issuer: t.config.issuer, audience: 'https://other.example/api', ttlSeconds: 600 })
  const { token } = await elsewhere.issue({ subject: ada.id, clientId: 'test-app', scope: 'account' })
  assertInvalidToken(await getUser(`Bearer ${token}`), /aud/)
})

test('an expired token is refused', async () => {
  const { token, expiresIn } = await issue()
  now += (expiresIn + 1) * 1000
  assertInvalidToken(await getUser(`Bearer ${token}`), /expired/)
})

test('a token revoked by jti is refused', async () => {
  const { token, claims } = await issue()
  await t.app.revocations.revoke('jti', claims.jti, claims.exp * 1000)
  assertInvalidToken(await getUser(`Bearer ${token}`), /revoked/)
})

test('a token whose grant was revoked is refused', async () => {
  const { token, claims } = await issue('account', 'grant-1')
  const sibling = await issue('account', 'grant-2')
  await t.app.revocations.revoke('grant', 'grant-1', claims.exp * 1000)
  assertInvalidToken(await getUser(`Bearer ${token}`), /revoked/)
  assert.equal((await getUser(`Bearer ${sibling.token}`)).statusCode, 200)
})

test('insufficient scope: 403 naming the granular scopes needed in WWW-Authenticate', async () => {
  const { token } = await issue('account issue')
  const response = await t.app.inject({ url: '/2.0/workspaces', headers: { authorization: `Bearer ${token}` } })
  assert.equal(response.statusCode, 403)
  assert.equal(response.headers['www-authenticate'], 'Bearer error="insufficient_scope", scope="read:workspace"')
  assert.equal(response.json().error.code, 'insufficient_scope')
})

test('a write scope does not grant the read operation, nor a read scope the write', async () => {
  const write = await issue('repository:write')
  const read = await issue('repository')
  assert.equal((await t.app.inject({ url: '/2.0/repositories/any', headers: { authorization: `Bearer ${write.token}` } })).statusCode, 403)
  const post = await t.app.inject({ method: 'POST', url: '/2.0/repositories/any/new', payload: {}, headers: { authorization: `Bearer ${read.token}` } })
  assert.equal(post.statusCode, 403)
  assert.match(post.headers['www-authenticate'] as string, /scope="write:repository"/)
})

test('the token is checked before the body is parsed or validated', async () => {
  const response = await t.app.inject({ method: 'POST', url: '/2.0/repositories/any/new', payload: 'not json', headers: { 'content-type': 'application/json' } })
  assert.equal(response.statusCode, 401)
})

test('the verified-token cache skips the signature check on a repeat', async () => {
  const { token } = await issue()
  let verifications = 0
  const verify = t.app.accessTokens.verify.bind(t.app.accessTokens)
  t.app.accessTokens.verify = (value: string) => (verifications++, verify(value))
  try {
    for (let i = 0; i < 3; i++) assert.equal((await getUser(`Bearer ${token}`)).statusCode, 200)
  } finally {
    delete (t.app.accessTokens as { verify?: unknown }).verify
  }
  assert.equal(verifications, 1)
})

test('the cache honours a revocation made after the token was cached', async () => {
  const { token, claims } = await issue()
  assert.equal((await getUser(`Bearer ${token}`)).statusCode, 200)
  await t.app.revocations.revoke('jti', claims.jti, claims.exp * 1000)
  assertInvalidToken(await getUser(`Bearer ${token}`), /revoked/)
})

test("the cache honours a cached token's exp", async () => {
  const { token, expiresIn } = await issue()
  assert.equal((await getUser(`Bearer ${token}`)).statusCode, 200)
  now += expiresIn * 1000
  assertInvalidToken(await getUser(`Bearer ${token}`), /expired/)
})

test('outcomes are counted in gatehouse_gateway_decisions_total', async () => {
  const { token } = await issue()
  await getUser(`Bearer ${token}`)
  await getUser()
  await getUser('Bearer nope')
  await t.app.inject({ url: '/2.0/workspaces', headers: { authorization: `Bearer ${token}` } })
  const metrics = (await t.app.inject({ url: '/metrics' })).body
  for (const outcome of ['allowed', 'missing_token', 'invalid_token', 'insufficient_scope']) {
    assert.match(metrics, new RegExp(`gatehouse_gateway_decisions_total\\{outcome="${outcome}"\\} [1-9]`))
  }
})

test('with the cache disabled every request is verified and revocation still applies', async () => {
  const uncached = await startTestApp({ gatewayCacheSize: 0 })
  try {
    const caller = await makeCaller(uncached.app, 'solo')
    const { token, claims } = await uncached.app.accessTokens.issue({ subject: caller.id, clientId: 'test-app', scope: 'account' })
    const call = () => uncached.app.inject({ url: '/2.0/user', headers: { authorization: `Bearer ${token}` } })
    assert.equal((await call()).statusCode, 200)
    assert.equal((await call()).statusCode, 200)
    await uncached.app.revocations.revoke('jti', claims.jti, claims.exp * 1000)
    assert.equal((await call()).statusCode, 401)
  } finally {
    await uncached.close()
  }
})

test('a token limited to some workspaces is refused, with a 403 naming the workspace, on an operation in another; warm or cold', async () => {
  const { createWorkspace } = await import('../../src/platform/index.js')
  for (const slug of ['gate-a', 'gate-b']) await createWorkspace(t.app.db, t.app.clock, { slug, members: [{ userId: ada.id, role: 'owner' }] })
  const { token } = await t.app.accessTokens.issue({ subject: ada.id, clientId: 'test-app', scope: 'account workspace', workspaces: ['gate-a'] })
  const get = (path: string) => t.app.inject({ url: `/2.0${path}`, headers: { authorization: `Bearer ${token}` } })
  const refusedBefore = (await t.app.metrics.gatewayDecisions.get()).values.find((v) => v.labels.outcome === 'workspace_not_granted')?.value ?? 0
  // Twice each: the second request takes the verified-token cache's path.
  for (let i = 0; i < 2; i++) {
    assert.equal((await get('/workspaces/gate-a')).statusCode, 200)
    const refused = await get('/workspaces/gate-b')
    assert.equal(refused.statusCode, 403)
    assert.deepEqual(refused.json(), { error: { code: 'ERR_FORBIDDEN', message: 'This token was granted for the workspace gate-a only, not "gate-b"' } })
    assert.equal((await get('/user')).statusCode, 200, 'an operation without a workspace is not limited')
  }
  const refusedAfter = (await t.app.metrics.gatewayDecisions.get()).values.find((v) => v.labels.outcome === 'workspace_not_granted')?.value
  assert.equal(refusedAfter, refusedBefore + 2)
})

test('a workspaces claim that is not a list of slugs reaches no workspace, rather than all', async () => {
  const iat = Math.floor(now / 1000)
  const token = await signWithOurKey({
    iss: t.config.issuer, aud: t.config.audience, sub: ada.id, client_id: 'test-app', scope: 'account workspace', jti: 'odd-workspaces', iat, exp: iat + 60,
    workspaces: 'gate-a',
  })
  const refused = await t.app.inject({ url: '/2.0/workspaces/gate-a', headers: { authorization: `Bearer ${token}` } })
  assert.equal(refused.statusCode, 403)
  assert.match(refused.json().error.message, /granted for no workspace, so not for "gate-a"/)
})
