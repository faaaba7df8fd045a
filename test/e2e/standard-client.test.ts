import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import { after, before, test } from 'node:test'
import * as oauth from 'oauth4webapi'
import type { Browser } from 'playwright-core'
import { createRegistrationToken } from '../../src/oauth/registration-tokens.js'
import { createUser } from '../../src/users/users.service.js'
import { createWorkspace } from '../../src/platform/index.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { launchBrowser } from '../support/browser.js'

// The issue's "done when": a standard client library (oauth4webapi) discovers Gatehouse, registers
// itself, runs the authorization-code flow with PKCE through the real pages in Chromium, refreshes,
// introspects, revokes and calls the sample API.
const insecure = { [oauth.allowInsecureRequests]: true }
let t: TestApp
let browser: Browser
let callbackServer: Server
let callbackUrl: string
let lastCallback: Promise<URL>
let resolveCallback: (url: URL) => void

before(async () => {
  t = await startTestApp({}, { listen: true })
  const user = await createUser(t.app.db, t.app.clock, { username: 'ada', password: 'correct horse battery' })
  await createWorkspace(t.app.db, t.app.clock, { slug: 'analytical', members: [{ userId: user.id, role: 'owner' }] })
  callbackServer = createServer((request, response) => {
    resolveCallback(new URL(request.url!, callbackUrl))
    response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Client</title><p>Signed in to the client.</p>')
  })
  await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve))
  callbackUrl = `http://127.0.0.1:${(callbackServer.address() as { port: number }).port}/callback`
  browser = await launchBrowser()
})

after(async () => {
  await browser?.close()
  callbackServer?.close()
  await t?.close()
})

function expectCallback(): Promise<URL> {
  lastCallback = new Promise((resolve) => (resolveCallback = resolve))
  return lastCallback
}

test('a standard OAuth client discovers, registers, signs a user in with PKCE, refreshes, introspects, revokes and calls the API', async () => {
  const issuer = new URL(t.config.issuer)

  // Discovery (RFC 8414); the library checks the issuer matches.
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }))
  assert.equal(as.issuer, t.config.issuer)
  assert.ok(as.scopes_supported?.includes('issue:write'))

  // Dynamic registration (RFC 7591) with an initial access token.
  const { token: initialAccessToken } = await createRegistrationToken(t.app.db, t.app.clock, { expiresInSeconds: 600, uses: 1 }, t.app.secrets)
  const registered = await oauth.processDynamicClientRegistrationResponse(
    await oauth.dynamicClientRegistrationRequest(as, {
      client_name: 'Standard client',
      redirect_uris: [callbackUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'client_secret_basic',
      scope: 'account repository issue',
    }, { initialAccessToken, ...insecure }),
  )
  const client: oauth.Client = { client_id: registered.client_id }
  const clientAuth = oauth.ClientSecretBasic(registered.client_secret as string)

  // Authorization code with PKCE, through the sign-in and consent pages.
  const codeVerifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const authorizationUrl = new URL(as.authorization_endpoint!)
  authorizationUrl.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: callbackUrl,
    response_type: 'code',
    scope: 'account repository',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  }).toString()

  const page = await browser.newPage()
  const callback = expectCallback()
  await page.goto(authorizationUrl.toString())
  await page.getByLabel('Username').fill('ada')
  await page.getByLabel('Password').fill('correct horse battery')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('button', { name: 'Allow' }).waitFor()
  assert.match(await page.content(), /Standard client/)
  await page.getByRole('button', { name: 'Allow' }).click()
  const callbackParameters = oauth.validateAuthResponse(as, client, await callback, state) // checks `iss` (RFC 9207) and `state`
  await page.close()

  const tokens = await oauth.processAuthorizationCodeResponse(as, client,
    await oauth.authorizationCodeGrantRequest(as, client, clientAuth, callbackParameters, callbackUrl, codeVerifier, insecure))
  assert.equal(tokens.token_type, 'bearer')
  assert.equal(tokens.expires_in, 3600)
  assert.equal(tokens.scope, 'account repository')
  assert.ok(tokens.refresh_token?.startsWith('gth_rt_'))

  // The access token is an RFC 9068 JWT a resource server can validate with the library.
  const jwks = new URL(as.jwks_uri!)
  const claims = await oauth.validateJwtAccessToken(
    { ...as, jwks_uri: jwks.toString() },
    new Request(`${t.config.issuer}/2.0/user`, { headers: { authorization: `Bearer ${tokens.access_token}` } }),
    t.config.audience,
    insecure,
  )
  assert.equal(claims.client_id, client.client_id)

  // The sample API accepts it.
  const me = await oauth.protectedResourceRequest(tokens.access_token, 'GET', new URL(`${t.config.issuer}/2.0/user`), undefined, undefined, insecure)
  assert.equal(me.status, 200)
  assert.equal(((await me.json()) as { username: string }).username, 'ada')
  // (Plain fetch: the library turns a challenge into an exception, and we want to read the header.)
  const issues = await fetch(`${t.config.issuer}/2.0/repositories/analytical/engine/issues`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'x' }),
  })
  assert.equal(issues.status, 403, 'issue:write was not granted')
  assert.match(issues.headers.get('www-authenticate') ?? '', /insufficient_scope/)

  // Refresh rotates the refresh token.
  const refreshed = await oauth.processRefreshTokenResponse(as, client,
    await oauth.refreshTokenGrantRequest(as, client, clientAuth, tokens.refresh_token!, insecure))
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token)
  assert.notEqual(refreshed.access_token, tokens.access_token)

  // Introspection.
  const introspection = await oauth.processIntrospectionResponse(as, client,
    await oauth.introspectionRequest(as, client, clientAuth, refreshed.access_token, insecure))
  assert.equal(introspection.active, true)
  assert.equal(introspection.client_id, client.client_id)
  assert.equal(introspection.username, 'ada')

  // Revoking the refresh token ends the whole grant: the access token stops working too.
  await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, clientAuth, refreshed.refresh_token!, insecure))
  await assert.rejects(
    oauth.processRefreshTokenResponse(as, client, await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshed.refresh_token!, insecure)),
    (error: unknown) => error instanceof oauth.ResponseBodyError && error.error === 'invalid_grant',
  )
  const afterRevocation = await fetch(`${t.config.issuer}/2.0/user`, { headers: { authorization: `Bearer ${refreshed.access_token}` } })
  assert.equal(afterRevocation.status, 401)
  assert.match(afterRevocation.headers.get('www-authenticate') ?? '', /invalid_token/)
  const inactive = await oauth.processIntrospectionResponse(as, client,
    await oauth.introspectionRequest(as, client, clientAuth, refreshed.access_token, insecure))
  assert.equal(inactive.active, false)
})
