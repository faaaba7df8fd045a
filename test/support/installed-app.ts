import { decide } from '../../src/consent/decisions.service.js'
import { randomBytes } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import { SignJWT, type JWTPayload } from 'jose'
import { newId } from '../../src/domain/ids.js'
import { queryStringHash } from '../../src/domain/qsh.js'
import { sealPreviousSecret, sealSharedSecret } from '../../src/installations/installation-secrets.js'

/**
 * Installed apps as an install leaves them in the database, for the tests of what an installed app
 * does afterwards (app JWTs, the installation grants, enforcement): the descriptor with its backing
 * app (client_id = the key, public, no grant types, the descriptor's API scopes), and per
 * installation an app account (kind 'app', a plain member of the workspace) and the installation
 * row with its shared secret sealed. Lifecycle callbacks are another suite's business.
 */

export interface DescriptorApp {
  id: string
  key: string
}

export interface InstalledAppFixture {
  app: DescriptorApp
  installationId: string
  workspaceId: string
  workspaceSlug: string
  clientKey: string
  oauthClientId: string
  sharedSecret: string
  appUserId: string
}

/** Registers a descriptor; `scopes` as the descriptor lists them (act_as_user stays in the document, not on the backing app). */
export async function addDescriptorApp(server: FastifyInstance, key: string, scopes: string[], ownerId: string | null = null): Promise<DescriptorApp> {
  const id = newId()
  const now = server.clock.now()
  const document = {
    key,
    name: `App ${key}`,
    description: '',
    baseUrl: `https://${key}.example`,
    authentication: { type: 'jwt' },
    lifecycle: { installed: '/installed' },
    scopes,
    modules: { pages: [{ key: 'overview', name: 'Overview', url: '/overview' }] },
    approval: 'shared',
  }
  await server.db.insertInto('apps').values({
    id,
    client_id: key,
    name: document.name,
    owner_id: ownerId,
    is_public: 1,
    token_endpoint_auth_method: 'none',
    redirect_uris: '[]',
    grant_types: '[]',
    scopes: JSON.stringify(scopes.filter((scope) => scope !== 'act_as_user')),
    created_via: 'descriptor',
    created_at: now,
    updated_at: now,
    disabled_at: null,
    homepage_url: null,
    verified_at: null,
    workspace_id: null,
  }).execute()
  await server.db.insertInto('descriptors').values({ app_id: id, key, document: JSON.stringify(document), source_url: null, version: 1, created_at: now, updated_at: now }).execute()
  return { id, key }
}

export interface InstallOptions {
  /** Stable per app × tenant: a reinstall keeps it; an import gives a new one. */
  clientKey?: string
  state?: 'installed' | 'disabled'
}

/** A live installation of `app` in the workspace, with a new oauthClientId, shared secret and app account. */
export async function installApp(server: FastifyInstance, app: DescriptorApp, workspace: { id: string; slug: string }, options: InstallOptions = {}): Promise<InstalledAppFixture> {
  const now = server.clock.now()
  const installationId = newId()
  const appUserId = newId()
  const sharedSecret = randomBytes(32).toString('base64url')
  const sealed = sealSharedSecret(server.keyEncryption.keyring, installationId, sharedSecret)
  const fixture: InstalledAppFixture = {
    app,
    installationId,
    workspaceId: workspace.id,
    workspaceSlug: workspace.slug,
    clientKey: options.clientKey ?? `ck-${randomBytes(8).toString('hex')}`,
    oauthClientId: `oc-${randomBytes(8).toString('hex')}`,
    sharedSecret,
    appUserId,
  }
  await server.db.insertInto('users').values({
    id: appUserId, username: `${app.key.slice(0, 29)}-${randomBytes(4).toString('hex')}`, password_hash: '!', is_admin: 0,
    display_name: app.key, created_at: now, disabled_at: null, kind: 'app',
  }).execute()
  await server.db.insertInto('workspace_members').values({ workspace_id: workspace.id, user_id: appUserId, role: 'member', created_at: now }).execute()
  await server.db.insertInto('installations').values({
    id: installationId, app_id: app.id, workspace_id: workspace.id, tenant_id: workspace.id, client_key: fixture.clientKey,
    oauth_client_id: fixture.oauthClientId, app_user_id: appUserId, state: options.state ?? 'installed',
    shared_secret_sealed: sealed.sealed, kek_id: sealed.kekId, previous_secret_sealed: null, previous_kek_id: null, previous_secret_expires_at: null,
    previous_client_key: null, descriptor_version: 1, installed_by: null, created_at: now, updated_at: now, ended_at: null,
  }).execute()
  return fixture
}

/** Ends an installation as an uninstall (or, `removed`, an import) does: no secret, the app account out of the workspace and disabled. */
export async function endInstallation(server: FastifyInstance, installation: InstalledAppFixture, state: 'uninstalled' | 'removed' = 'uninstalled'): Promise<void> {
  const now = server.clock.now()
  await server.db.updateTable('installations').set({
    state, ended_at: now, updated_at: now, shared_secret_sealed: null, kek_id: null, previous_secret_sealed: null, previous_kek_id: null, previous_secret_expires_at: null,
  }).where('id', '=', installation.installationId).execute()
  await server.db.deleteFrom('workspace_members').where('user_id', '=', installation.appUserId).execute()
  await server.db.updateTable('users').set({ disabled_at: now }).where('id', '=', installation.appUserId).execute()
}

/** A secret rotation as the app has accepted it: a new current secret, the old one usable until `graceEndsAt`. */
export async function rotateSharedSecret(server: FastifyInstance, installation: InstalledAppFixture, graceEndsAt: number): Promise<InstalledAppFixture> {
  const { keyring } = server.keyEncryption
  const next = randomBytes(32).toString('base64url')
  const current = sealSharedSecret(keyring, installation.installationId, next)
  const previous = sealPreviousSecret(keyring, installation.installationId, installation.sharedSecret)
  await server.db.updateTable('installations').set({
    shared_secret_sealed: current.sealed, kek_id: current.kekId,
    previous_secret_sealed: previous.sealed, previous_kek_id: previous.kekId, previous_secret_expires_at: graceEndsAt,
  }).where('id', '=', installation.installationId).execute()
  return { ...installation, sharedSecret: next }
}

export async function setInstallationState(server: FastifyInstance, installation: InstalledAppFixture, state: 'installed' | 'disabled'): Promise<void> {
  await server.db.updateTable('installations').set({ state, updated_at: server.clock.now() }).where('id', '=', installation.installationId).execute()
}

export interface AppJwtOptions {
  method: string
  /** Path and query, as the app requests them under the platform's base URL. */
  url: string
  /** Claims to set or, with `undefined`, to leave out. */
  claims?: Record<string, unknown>
  /** Seconds from now (the server's clock) of `iat` and `exp`; defaults 0 and 180. */
  iatOffset?: number
  expOffset?: number
  /** Sign with this secret instead of the installation's. */
  secret?: string
  /** Computes `qsh` over these form parameters (a POST whose query moved into the body). */
  formParameters?: Record<string, string>
}

/** An app JWT as a Connect library makes one: HS256 under the shared secret, `iss` the clientKey, a `qsh` of the request. */
export async function appJwt(server: FastifyInstance, installation: InstalledAppFixture, options: AppJwtOptions): Promise<string> {
  const issuer = server.config.issuer
  const now = Math.floor(server.clock.now() / 1000)
  const claims: JWTPayload = {
    iss: installation.clientKey,
    iat: now + (options.iatOffset ?? 0),
    exp: now + (options.expOffset ?? 180),
    qsh: queryStringHash({ method: options.method, url: `${issuer}${options.url}`, baseUrl: issuer, formParameters: options.formParameters }),
    ...options.claims,
  }
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name]
  return sign(claims, options.secret ?? installation.sharedSecret)
}

export interface AssertionOptions {
  userId: string
  /** Defaults to the installation's oauthClientId. */
  oauthClientId?: string
  claims?: Record<string, unknown>
  expOffset?: number
  secret?: string
}

/** An impersonation assertion (jwt-bearer), as the reference platform's libraries make one. */
export async function impersonationAssertion(server: FastifyInstance, installation: InstalledAppFixture, options: AssertionOptions): Promise<string> {
  const issuer = server.config.issuer
  const now = Math.floor(server.clock.now() / 1000)
  const claims: JWTPayload = {
    iss: `urn:gatehouse:clientid:${options.oauthClientId ?? installation.oauthClientId}`,
    sub: `urn:gatehouse:useraccountid:${options.userId}`,
    tnt: issuer,
    aud: `${issuer}/oauth/token`,
    iat: now,
    exp: now + (options.expOffset ?? 55),
    ...options.claims,
  }
  for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name]
  return sign(claims, options.secret ?? installation.sharedSecret)
}

function sign(claims: JWTPayload, secret: string): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(secret))
}

/**
 * The person's approval of the app, as they would give it in the consent dialog: impersonation
 * needs one (nobody is there to ask). For every installation of the app (a shared app).
 */
export async function allowApp(server: FastifyInstance, app: Pick<DescriptorApp, 'id'>, userId: string, scopes: string[]): Promise<void> {
  await decide(server.consent, { userId, app: { id: app.id, ownerId: null }, installationId: null, perInstallation: false, decision: 'allow', scopes })
}
