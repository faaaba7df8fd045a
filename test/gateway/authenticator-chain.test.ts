import assert from 'node:assert/strict'
import { createHash, timingSafeEqual } from 'node:crypto'
import { after, before, test } from 'node:test'
import type { BasicCredential, Credential } from '../../src/domain/credentials.js'
import { scopeSet } from '../../src/domain/scopes.js'
import { InvalidTokenError, ServiceUnavailableError } from '../../src/errors.js'
import type { Authenticator } from '../../src/gateway/authenticator.js'
import type { Identity } from '../../src/gateway/identity.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { makeCaller, type Caller } from '../platform/fixtures.js'

/**
 * The gate picks an authenticator by the credential's form. A second, real authenticator is
 * registered here: Basic credentials checked against a fixed table of users, standing in for the
 * API tokens and installations to come (a future feature, not a double of Gatehouse's own code).
 */

const sha256 = (text: string) => createHash('sha256').update(text).digest()

interface TableUser {
  userId: string
  passwordHash: Buffer
  scopes: string[]
}

class BasicUserTable implements Authenticator<BasicCredential> {
  readonly form = 'Basic <username:password>'
  readonly users = new Map<string, TableUser>()
  verified = 0

  recognise(credential: Credential): credential is BasicCredential {
    return credential.kind === 'basic'
  }

  async verify(credential: BasicCredential): Promise<Identity> {
    this.verified++
    // What a database-backed authenticator meets when its database is down.
    if (credential.username === 'during-an-outage') throw new ServiceUnavailableError('The user table is unreachable', 2)
    const user = this.users.get(credential.username)
    const given = sha256(credential.password)
    if (!user || !timingSafeEqual(user.passwordHash, given)) throw new InvalidTokenError('The username or password is wrong')
    // Identity has one kind today; a real second authenticator adds its own kind to the union.
    return {
      kind: 'basic_user',
      userId: user.userId,
      clientId: 'basic-user-table',
      scopes: scopeSet(user.scopes),
      grantId: undefined,
      tokenId: `basic:${credential.username}`,
      issuedAt: 0,
    } as unknown as Identity
  }
}

const PASSWORD = 'correct horse battery'
const table = new BasicUserTable()
let t: TestApp
let ada: Caller
let jwtVerifications = 0

before(async () => {
  t = await startTestApp({}, {
    beforeReady: async (app) => {
      app.gate.add(table)
      // Counts the access-token authenticator's signature checks, without changing what they do.
      const verify = app.accessTokens.verify.bind(app.accessTokens)
      app.accessTokens.verify = (token: string) => (jwtVerifications++, verify(token))
    },
  })
  ada = await makeCaller(t.app, 'ada')
  table.users.set('ada', { userId: ada.id, passwordHash: sha256(PASSWORD), scopes: ['account'] })
})
after(() => t.close())

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
const get = (url: string, authorization: string) => t.app.inject({ url, headers: { authorization } })

function assertInvalidToken(response: Awaited<ReturnType<typeof get>>, description: RegExp) {
  assert.equal(response.statusCode, 401)
  assert.equal(response.json().error.code, 'invalid_token')
  assert.match(response.headers['www-authenticate'] as string, /^Bearer error="invalid_token", error_description="/)
  assert.match(response.json().error.message, description)
}

test('a Basic credential goes to the authenticator that recognises it, and reaches the API as its user', async () => {
  const before = { jwt: jwtVerifications, basic: table.verified }
  const response = await get('/2.0/user', basic('ada', PASSWORD))
  assert.equal(response.statusCode, 200)
  assert.equal(response.json().username, 'ada')
  assert.equal(table.verified, before.basic + 1)
  assert.equal(jwtVerifications, before.jwt, 'the access-token authenticator was not asked')
})

test('a Bearer access token still takes the JWT path, untouched by the second authenticator', async () => {
  const before = { jwt: jwtVerifications, basic: table.verified }
  const response = await get('/2.0/user', (await ada.auth('account')).authorization)
  assert.equal(response.statusCode, 200)
  assert.equal(response.json().username, 'ada')
  assert.equal(jwtVerifications, before.jwt + 1)
  assert.equal(table.verified, before.basic, 'the Basic authenticator was not asked')
})

test('the authenticator that recognised the credential decides: a wrong password is refused, not passed on', async () => {
  const before = jwtVerifications
  assertInvalidToken(await get('/2.0/user', basic('ada', 'wrong')), /username or password is wrong/)
  assertInvalidToken(await get('/2.0/user', basic('nobody', PASSWORD)), /username or password is wrong/)
  assert.equal(jwtVerifications, before)
})

test("an authenticator's own failure (its store unreachable) is 503 with Retry-After, not a bad credential", async () => {
  const response = await get('/2.0/user', basic('during-an-outage', PASSWORD))
  assert.equal(response.statusCode, 503)
  assert.equal(response.headers['retry-after'], '2')
  assert.equal(response.headers['www-authenticate'], undefined)
})

test('every kind of identity meets the same scope check: 403 naming the scopes needed', async () => {
  const response = await get('/2.0/workspaces', basic('ada', PASSWORD))
  assert.equal(response.statusCode, 403)
  assert.equal(response.headers['www-authenticate'], 'Bearer error="insufficient_scope", scope="read:workspace"')
})

test('every kind of identity meets the same revocation check', async () => {
  const grace = await makeCaller(t.app, 'grace')
  table.users.set('grace', { userId: grace.id, passwordHash: sha256(PASSWORD), scopes: ['account'] })
  assert.equal((await get('/2.0/user', basic('grace', PASSWORD))).statusCode, 200)
  await t.app.revocations.revoke('jti', 'basic:grace', t.app.clock.now() + 3_600_000)
  assertInvalidToken(await get('/2.0/user', basic('grace', PASSWORD)), /revoked/)
})

test('a credential no authenticator recognises is invalid_token naming every accepted form', async () => {
  // `JWT …` is the installed apps' form (their authenticator joins the chain), so it is not among these.
  for (const authorization of ['Digest username="ada"', 'Bearer not-a-jwt', 'Bearertoken']) {
    const before = { jwt: jwtVerifications, basic: table.verified }
    const response = await get('/2.0/user', authorization)
    assertInvalidToken(response, /Authorization: Bearer <access token>; Authorization: JWT <app JWT [^;]*>; Authorization: Basic <username:password>/)
    assert.deepEqual({ jwt: jwtVerifications, basic: table.verified }, before, `${authorization}: nothing verified`)
  }
})

test('a malformed credential is refused with the reason, before any authenticator is asked', async () => {
  const before = { jwt: jwtVerifications, basic: table.verified }
  assertInvalidToken(await get('/2.0/user', 'Basic !!!'), /Basic credentials are malformed/)
  assertInvalidToken(await get('/2.0/user', 'Bearer a b'), /Bearer token is malformed/)
  assert.deepEqual({ jwt: jwtVerifications, basic: table.verified }, before)
})

test('outcomes from every authenticator are counted in gatehouse_gateway_decisions_total', async () => {
  const metrics = (await t.app.inject({ url: '/metrics' })).body
  for (const outcome of ['allowed', 'invalid_token', 'insufficient_scope']) {
    assert.match(metrics, new RegExp(`gatehouse_gateway_decisions_total\\{outcome="${outcome}"\\} [1-9]`))
  }
})
