import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { App } from '../../src/apps/app.js'
import { createApp } from '../../src/apps/apps.service.js'
import type { Clock } from '../../src/domain/clock.js'
import { newId } from '../../src/domain/ids.js'
import { hashSecret } from '../../src/domain/opaque-token.js'
import { s256Challenge } from '../../src/domain/pkce.js'
import { insertAuthorizationCode, insertGrant } from '../../src/oauth/grants.queries.js'
import { createUser } from '../../src/users/users.service.js'

export const PASSWORD = 'correct horse battery'
export const REDIRECT_URI = 'https://client.example/callback'
export const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'

/** A clock tests move by hand. */
export class TestClock implements Clock {
  constructor(public t = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t
  }
  advance(seconds: number): void {
    this.t += seconds * 1000
  }
}

export async function addUser(app: FastifyInstance, username = 'ada'): Promise<string> {
  return (await createUser(app.db, app.clock, { username, password: PASSWORD })).id
}

export interface TestClient {
  app: App
  secret?: string
}

export async function addClient(
  app: FastifyInstance,
  input: Partial<Parameters<typeof createApp>[3]> = {},
): Promise<TestClient> {
  const { app: client, clientSecret } = await createApp(app.db, app.clock, app.apiDescription.scopes, {
    name: 'Example app',
    redirectUris: [REDIRECT_URI],
    scopes: ['account', 'repository', 'issue'],
    createdVia: 'cli',
    ...input,
  }, app.secrets)
  return { app: client, secret: clientSecret }
}

/** What the authorize step leaves behind: a grant and a code for it (with an S256 challenge unless `pkce: false`). */
export async function issueCode(
  app: FastifyInstance,
  client: App,
  userId: string,
  options: { scope?: string; pkce?: boolean; redirectUri?: string; redirectUriProvided?: boolean } = {},
): Promise<{ code: string; grantId: string }> {
  const now = app.clock.now()
  const grantId = newId()
  const scope = options.scope ?? 'account repository'
  await insertGrant(app.db, {
    id: grantId, app_id: client.id, user_id: userId, scope, kind: 'authorization_code',
    created_at: now, expires_at: now + app.config.refreshTokenAbsoluteTtlSeconds * 1000, revoked_at: null, revoked_reason: null,
  })
  const code = app.secrets.generate('authorizationCode')
  const pkce = options.pkce ?? true
  await insertAuthorizationCode(app.db, {
    id: newId(), code_hash: hashSecret(code), grant_id: grantId, app_id: client.id, user_id: userId,
    redirect_uri: options.redirectUri ?? REDIRECT_URI, redirect_uri_provided: options.redirectUriProvided === false ? 0 : 1, scope,
    code_challenge: pkce ? s256Challenge(VERIFIER) : null, code_challenge_method: pkce ? 'S256' : null,
    created_at: now, expires_at: now + app.config.authorizationCodeTtlSeconds * 1000, consumed_at: null,
  })
  return { code, grantId }
}

export function basic(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`
}

/** Client authentication as the client would send it: Basic for confidential apps, client_id alone for public ones. */
export function credentials(client: TestClient): { headers: Record<string, string>; params: Record<string, string> } {
  return client.secret
    ? { headers: { authorization: basic(client.app.clientId, client.secret) }, params: {} }
    : { headers: {}, params: { client_id: client.app.clientId } }
}

export function postForm(
  app: FastifyInstance,
  url: string,
  params: Record<string, string | string[]>,
  headers: Record<string, string> = {},
): Promise<LightMyRequestResponse> {
  const body = new URLSearchParams()
  for (const [name, value] of Object.entries(params)) for (const v of [value].flat()) body.append(name, v)
  return app.inject({ method: 'POST', url, payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } })
}

/** A request from `client` to a client-authenticated endpoint. */
export function asClient(app: FastifyInstance, client: TestClient, url: string, params: Record<string, string>): Promise<LightMyRequestResponse> {
  const auth = credentials(client)
  return postForm(app, url, { ...auth.params, ...params }, auth.headers)
}

export function redeem(app: FastifyInstance, client: TestClient, code: string, extra: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return asClient(app, client, '/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: VERIFIER, ...extra })
}

export function refresh(app: FastifyInstance, client: TestClient, refreshToken: string, extra: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  return asClient(app, client, '/oauth/token', { grant_type: 'refresh_token', refresh_token: refreshToken, ...extra })
}

export function claimsOf(token: string): { jti: string; gid?: string; sub: string; scope: string; client_id: string; exp: number; iat: number } {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'))
}

/** Whether the revocation list of `app` refuses this access token (by jti, grant, user or app). */
export function isTokenRevoked(app: FastifyInstance, accessToken: string): boolean {
  const claims = claimsOf(accessToken)
  return app.revocations.isRevoked({ tokenId: claims.jti, grantId: claims.gid, userId: claims.sub, clientId: claims.client_id, issuedAt: claims.iat })
}
