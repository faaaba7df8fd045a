import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildServer } from '../../src/server.js'
import { rotateClientSecret } from '../../src/apps/apps.service.js'
import { testConfig } from '../../src/config.js'
import { createRegistrationToken } from '../../src/oauth/registration-tokens.js'
import { createTestDatabase } from '../support/database.js'
import { runCli } from '../support/processes.js'
import { cookiesFrom, form, hiddenField, signIn } from '../web/fixtures.js'
import { addClient, addUser, basic, REDIRECT_URI, TestClock, type TestClient } from './fixtures.js'

/** A code through the real authorization endpoint: the consent page (asked again each time), then Allow. */
async function authorizationCode(app: FastifyInstance, client: TestClient, jar: Record<string, string>): Promise<string> {
  const query = new URLSearchParams({ client_id: client.app.clientId, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'account', state: 's', prompt: 'consent' })
  const page = await app.inject({ method: 'GET', url: `/oauth/authorize?${query}`, cookies: jar })
  assert.equal(page.statusCode, 200, page.body)
  const fields: Record<string, string> = { decision: 'allow' }
  for (const name of ['csrf_token', 'client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'prompt']) {
    if (page.body.includes(`name="${name}"`)) fields[name] = hiddenField(page.body, name)
  }
  const decided = await app.inject({ method: 'POST', url: '/oauth/authorize/decision', cookies: jar, ...form(fields) })
  assert.equal(decided.statusCode, 303, decided.body)
  return new URL(decided.headers.location as string).searchParams.get('code')!
}

function tokenRequest(app: FastifyInstance, client: TestClient, secret: string, params: Record<string, string>) {
  return app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { authorization: basic(client.app.clientId, secret), 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(params).toString(),
  })
}

function register(app: FastifyInstance, token: string) {
  return app.inject({ method: 'POST', url: '/oauth/register', headers: { authorization: `Bearer ${token}` }, payload: { redirect_uris: [REDIRECT_URI], client_name: 'Registered' } })
}

test('every secret Gatehouse issues carries GATEHOUSE_SECRET_PREFIX, and changing the prefix later invalidates none of them', async () => {
  const database = await createTestDatabase()
  const clock = new TestClock()
  const start = async (secretPrefix: string) => {
    const app = await buildServer(testConfig({ databaseUrl: database.url, kek: database.kek, rateLimitPerMinute: 0, seedDemo: false, secretPrefix }), { clock })
    await app.ready()
    return app
  }
  let app = await start('acme')
  try {
    // Under prefix A, through every path that mints one.
    await addUser(app)
    const client = await addClient(app, { grantTypes: ['authorization_code', 'refresh_token'] })
    assert.match(client.secret!, /^acme_cs_/)
    const jar = await signIn(app)
    const session = Object.values(jar).find((value) => value.startsWith('acme_'))
    assert.match(session ?? '', /^acme_ss_/, 'the session cookie')
    const code = await authorizationCode(app, client, jar)
    const laterCode = await authorizationCode(app, client, jar)
    assert.match(code, /^acme_ac_/)
    const redeemed = await tokenRequest(app, client, client.secret!, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI })
    assert.equal(redeemed.statusCode, 200, redeemed.body)
    const refreshToken = redeemed.json().refresh_token as string
    assert.match(refreshToken, /^acme_rt_/)
    const { token: registrationToken } = await createRegistrationToken(app.db, app.clock, { expiresInSeconds: 600, uses: 2 }, app.secrets)
    assert.match(registrationToken, /^acme_rg_/)
    const registered = await register(app, registrationToken)
    assert.equal(registered.statusCode, 201, registered.body)
    assert.match(registered.json().client_secret, /^acme_cs_/)
    // The command line mints with the same prefix.
    const cliEnv = { ...database.env, GATEHOUSE_SECRET_PREFIX: 'acme' }
    const cliApp = await runCli(['app', 'create', '--name', 'From the CLI', '--redirect-uri', REDIRECT_URI, '--json'], cliEnv)
    assert.match(JSON.parse(cliApp.stdout).client_secret, /^acme_cs_/, cliApp.stderr)
    assert.match(JSON.parse((await runCli(['registration-token', '--json'], cliEnv)).stdout).registration_token, /^acme_rg_/)
    const rotated = await runCli(['app', 'rotate-secret', JSON.parse(cliApp.stdout).client_id, '--json'], cliEnv)
    assert.match(JSON.parse(rotated.stdout).client_secret, /^acme_cs_/)

    // The deployment changes its prefix to B.
    await app.close()
    app = await start('globex')

    // What was issued under A still works…
    const home = await app.inject({ method: 'GET', url: '/', cookies: jar })
    assert.match(home.body, /Signed in as <strong>ada<\/strong>/, 'the session')
    const refreshed = await tokenRequest(app, client, client.secret!, { grant_type: 'refresh_token', refresh_token: refreshToken })
    assert.equal(refreshed.statusCode, 200, `the client secret and refresh token: ${refreshed.body}`)
    const laterRedeemed = await tokenRequest(app, client, client.secret!, { grant_type: 'authorization_code', code: laterCode, redirect_uri: REDIRECT_URI })
    assert.equal(laterRedeemed.statusCode, 200, `the authorization code: ${laterRedeemed.body}`)
    const registeredLater = await register(app, registrationToken)
    assert.equal(registeredLater.statusCode, 201, 'the registration token')

    // …and what is minted now carries B.
    assert.match(refreshed.json().refresh_token, /^globex_rt_/)
    assert.match(registeredLater.json().client_secret, /^globex_cs_/)
    assert.match((await rotateClientSecret(app.db, app.clock, client.app.clientId, { graceSeconds: 60 }, app.secrets)).clientSecret, /^globex_cs_/)
    const again = cookiesFrom(await app.inject({ method: 'POST', url: '/logout', cookies: jar, ...form({ csrf_token: hiddenField(home.body, 'csrf_token') }) }), { ...jar })
    assert.equal(Object.values(again).some((value) => value === session), false, 'a session minted under A can also be ended')
    assert.match(Object.values(await signIn(app)).find((value) => value.startsWith('globex_')) ?? '', /^globex_ss_/)
  } finally {
    await app.close()
    await database.drop()
  }
})
