import type { Clock } from '../domain/clock.js'
import { newClientId } from '../domain/client-id.js'
import { newId } from '../domain/ids.js'
import { hashSecret, type SecretFormat } from '../domain/opaque-token.js'
import type { ScopeDefinition } from '../domain/scopes.js'
import { BadRequestError, NotFoundError } from '../errors.js'
import { inTransaction, type Db } from '../store/database.js'
import { findUserById } from '../users/users.queries.js'
import type { App } from './app.js'
import { AppValidationError, validateNewApp, type NewAppInput } from './app-validation.js'
import * as queries from './apps.queries.js'

export { AppValidationError, type AppField, type NewAppInput } from './app-validation.js'

/**
 * Registers an app. A confidential app gets its first secret, returned here
 * once and stored only as a hash. Runs inside `db` if it is a transaction, so
 * a caller (dynamic registration) can make it part of a larger change.
 */
export async function createApp(
  db: Db,
  clock: Clock,
  scopeCatalogue: readonly ScopeDefinition[],
  input: NewAppInput,
  secrets: SecretFormat,
): Promise<{ app: App; clientSecret?: string }> {
  const valid = validateNewApp(scopeCatalogue, input)
  const ownerId = input.ownerId ?? null
  const owner = ownerId === null ? undefined : await findUserById(db, ownerId)
  if (ownerId !== null && !owner) throw new AppValidationError('owner', `No user has the id "${ownerId}"`)

  const now = clock.now()
  const app: App = {
    id: newId(),
    clientId: newClientId(),
    name: valid.name,
    ownerId,
    ownerDisabled: owner !== undefined && owner.disabled_at !== null,
    isPublic: valid.isPublic,
    isResourceServer: valid.isResourceServer,
    tokenEndpointAuthMethod: valid.tokenEndpointAuthMethod,
    redirectUris: valid.redirectUris,
    grantTypes: valid.grantTypes,
    scopes: valid.scopes,
    createdVia: input.createdVia,
    createdAt: now,
    updatedAt: now,
    disabledAt: null,
    description: valid.description,
    homepageUrl: valid.homepageUrl,
    verifiedAt: null,
    workspaceId: input.workspaceId ?? null,
  }
  const clientSecret = app.isPublic ? undefined : secrets.generate('clientSecret')
  await inTransaction(db, async (trx) => {
    await queries.insertApp(trx, toRow(app))
    if (clientSecret) await queries.insertAppSecret(trx, { id: newId(), app_id: app.id, secret_hash: hashSecret(clientSecret), created_at: now, expires_at: null })
  })
  return clientSecret ? { app, clientSecret } : { app }
}

/**
 * Issues a new current secret; the older ones keep working for `graceSeconds`
 * (never longer than they already would), so deployments can switch over.
 */
export async function rotateClientSecret(
  db: Db,
  clock: Clock,
  clientId: string,
  options: { graceSeconds: number },
  secrets: SecretFormat,
): Promise<{ clientSecret: string; previousSecretsExpireAt: number }> {
  if (!Number.isInteger(options.graceSeconds) || options.graceSeconds < 0) throw new BadRequestError('The grace period is a whole number of seconds, 0 or more')
  const app = await getApp(db, clientId)
  if (app.isPublic) throw new BadRequestError(`The app "${clientId}" is public and has no secret to rotate`)
  const now = clock.now()
  const previousSecretsExpireAt = now + options.graceSeconds * 1000
  const clientSecret = secrets.generate('clientSecret')
  await inTransaction(db, async (trx) => {
    await queries.expireSecrets(trx, app.id, previousSecretsExpireAt)
    await queries.deleteSecretsExpiredBefore(trx, app.id, now)
    await queries.insertAppSecret(trx, { id: newId(), app_id: app.id, secret_hash: hashSecret(clientSecret), created_at: now, expires_at: null })
  })
  return { clientSecret, previousSecretsExpireAt }
}

export function listApps(db: Db): Promise<App[]> {
  return queries.listApps(db)
}

export async function getApp(db: Db, clientId: string): Promise<App> {
  const app = await queries.findAppByClientId(db, clientId)
  if (!app) throw new NotFoundError(`No app has the client_id "${clientId}"`)
  return app
}

/**
 * Only the flag: a disabled app fails client authentication and cannot be authorized; its records
 * stay. Disabling an app for real also revokes what it holds and tells every process: that is
 * `disableApp` in src/admin/accounts.service.ts, which the CLI and the admin pages use.
 */
export async function setAppDisabled(db: Db, clock: Clock, clientId: string, disabled: boolean): Promise<App> {
  const app = await getApp(db, clientId)
  const now = clock.now()
  const disabledAt = disabled ? (app.disabledAt ?? now) : null
  await queries.setAppDisabledAt(db, app.id, disabledAt, now)
  return { ...app, disabledAt, updatedAt: now }
}

function toRow(app: App) {
  return {
    id: app.id,
    client_id: app.clientId,
    name: app.name,
    owner_id: app.ownerId,
    is_public: app.isPublic ? 1 : 0,
    is_resource_server: app.isResourceServer ? 1 : 0,
    token_endpoint_auth_method: app.tokenEndpointAuthMethod,
    redirect_uris: JSON.stringify(app.redirectUris),
    grant_types: JSON.stringify(app.grantTypes),
    scopes: JSON.stringify(app.scopes),
    created_via: app.createdVia,
    created_at: app.createdAt,
    updated_at: app.updatedAt,
    disabled_at: app.disabledAt,
    description: app.description,
    homepage_url: app.homepageUrl,
    verified_at: app.verifiedAt,
    workspace_id: app.workspaceId,
  }
}

