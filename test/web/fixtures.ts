import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import type { Config } from '../../src/config.js'
import { newId } from '../../src/domain/ids.js'
import { authorizeRoutes } from '../../src/oauth/authorize.routes.js'
import { createUser } from '../../src/users/users.service.js'
import { startTestApp, type TestApp, type TestAppOptions } from '../support/app.js'

export const PASSWORD = 'correct horse battery'

/** Registers the authorization endpoint unless `buildServer` already does. */
async function withAuthorizeRoutes(app: FastifyInstance): Promise<void> {
  if (!app.hasRoute({ method: 'GET', url: '/oauth/authorize' })) await app.register(authorizeRoutes)
}

export function startWebApp(overrides: Partial<Config> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  return startTestApp(overrides, { ...options, beforeReady: withAuthorizeRoutes })
}

export interface TestClient {
  id: string
  clientId: string
  name: string
  redirectUris: string[]
  scopes: string[]
}

/** An app row as registration would leave it; direct, so tests can make the odd ones (disabled, no code grant). */
export async function insertApp(
  app: FastifyInstance,
  overrides: Partial<{
    name: string; isPublic: boolean; redirectUris: string[]; grantTypes: string[]; scopes: string[]; disabledAt: number | null
    description: string; homepageUrl: string | null; verifiedAt: number | null; ownerId: string | null; workspaceId: string | null
  }> = {},
): Promise<TestClient> {
  const now = app.clock.now()
  const client = {
    id: newId(),
    clientId: `client-${newId().slice(0, 8)}`,
    name: overrides.name ?? 'Example app',
    isPublic: overrides.isPublic ?? false,
    redirectUris: overrides.redirectUris ?? ['https://client.example/callback'],
    grantTypes: overrides.grantTypes ?? ['authorization_code', 'refresh_token'],
    scopes: overrides.scopes ?? ['account', 'repository'],
  }
  await app.db
    .insertInto('apps')
    .values({
      id: client.id,
      client_id: client.clientId,
      name: client.name,
      owner_id: overrides.ownerId ?? null,
      is_public: client.isPublic ? 1 : 0,
      token_endpoint_auth_method: client.isPublic ? 'none' : 'client_secret_basic',
      redirect_uris: JSON.stringify(client.redirectUris),
      grant_types: JSON.stringify(client.grantTypes),
      scopes: JSON.stringify(client.scopes),
      created_via: 'cli',
      created_at: now,
      updated_at: now,
      disabled_at: overrides.disabledAt ?? null,
      description: overrides.description ?? '',
      homepage_url: overrides.homepageUrl ?? null,
      verified_at: overrides.verifiedAt ?? null,
      workspace_id: overrides.workspaceId ?? null,
    })
    .execute()
  return client
}

export function insertUser(app: FastifyInstance, username = 'ada') {
  return createUser(app.db, app.clock, { username, password: PASSWORD })
}

/** The `name=value` pairs a browser would send back, from a response's Set-Cookie headers. */
export function cookiesFrom(response: LightMyRequestResponse, jar: Record<string, string> = {}): Record<string, string> {
  for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
    const cleared = cookie.maxAge === 0 || (cookie.expires !== undefined && cookie.expires.getTime() <= Date.now())
    if (cleared) delete jar[cookie.name]
    else jar[cookie.name] = cookie.value
  }
  return jar
}

/** Visits the sign-in page for a CSRF cookie and token, the way a browser would. */
export async function csrfFor(app: FastifyInstance, jar: Record<string, string> = {}): Promise<{ jar: Record<string, string>; token: string }> {
  const page = await app.inject({ method: 'GET', url: '/login', cookies: jar })
  cookiesFrom(page, jar)
  // The sign-in form's own token: a signed-in browser's page also has the header's sign-out form.
  return { jar, token: hiddenField(page.body.slice(page.body.indexOf('<form method="post" action="/login"')), 'csrf_token') }
}

export function hiddenField(body: string, name: string): string {
  const match = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(body)
  if (!match) throw new Error(`no hidden field ${name}`)
  return match[1].replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>')
}

/** A form post's payload and headers; `headers` adds what a browser would send with it (Origin, Sec-Fetch-Site). */
export function form(fields: Record<string, string | undefined>, headers: Record<string, string> = {}): { payload: string; headers: Record<string, string> } {
  const body = new URLSearchParams()
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) body.append(name, value)
  return { payload: body.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }
}

/** The CSRF token of a signed-in page's forms (the home page's sign-out form), as the browser holding `jar` sees it. */
export async function signedInCsrf(app: FastifyInstance, jar: Record<string, string>): Promise<string> {
  const page = await app.inject({ method: 'GET', url: '/', cookies: jar })
  return hiddenField(page.body, 'csrf_token')
}

/** Signs `username` in through the form; returns the browser's cookies afterwards. */
export async function signIn(app: FastifyInstance, username = 'ada'): Promise<Record<string, string>> {
  const { jar, token } = await csrfFor(app)
  const response = await app.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username, password: PASSWORD, csrf_token: token }) })
  if (response.statusCode !== 303) throw new Error(`sign-in failed: ${response.statusCode}`)
  return cookiesFrom(response, jar)
}
