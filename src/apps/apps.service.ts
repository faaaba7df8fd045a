import type { Clock } from '../domain/clock.js'
import { newClientId } from '../domain/client-id.js'
import { newId } from '../domain/ids.js'
import { hashSecret, type SecretFormat } from '../domain/opaque-token.js'
import { missingScopes, type ScopeDefinition } from '../domain/scopes.js'
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
    clientId: input.clientId ?? newClientId(),
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
    verifiedAt: input.verified ? now : null,
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

/** What an app's owner may change after registration; a field left out stays as it is. */
export interface AppSettingsChanges {
  name?: string
  description?: string
  redirectUris?: string[]
  homepageUrl?: string | null
  scopes?: string[]
  /** Client-credentials tokens act as the owner, so changing it changes whom new ones act as. */
  ownerId?: string | null
  workspaceId?: string | null
}

export type ChangedAppField = 'name' | 'description' | 'redirect_uris' | 'homepage_url' | 'scopes' | 'owner' | 'workspace'

export interface AppFieldChange {
  field: ChangedAppField
  from: string | string[] | null
  to: string | string[] | null
}

/** Where an app change is announced, so every process drops what it cached of the app (RevocationList). */
export interface AppChangeNotices {
  recordAppChanged(trx: Db, clientId: string): Promise<() => void>
}

export interface AppUpdateDeps {
  db: Db
  clock: Clock
  notices: AppChangeNotices
}

/**
 * Changes an app's settings, checked by the same rules as a new app (its type and grant types stay:
 * a public app cannot gain a secret, nor a confidential one lose it). Every process hears of the
 * change once it has committed: cached client authentications and CORS origins are dropped.
 * Returns the app as it now is and what changed (nothing written when nothing did).
 */
export async function updateApp(
  deps: AppUpdateDeps,
  scopeCatalogue: readonly ScopeDefinition[],
  clientId: string,
  changes: AppSettingsChanges,
): Promise<{ app: App; changed: AppFieldChange[]; widenedScopes: string[] }> {
  const app = await getApp(deps.db, clientId)
  const ownerId = changes.ownerId === undefined ? app.ownerId : changes.ownerId
  const valid = validateNewApp(scopeCatalogue, {
    name: changes.name ?? app.name,
    description: changes.description ?? app.description,
    redirectUris: changes.redirectUris ?? app.redirectUris,
    homepageUrl: changes.homepageUrl === undefined ? app.homepageUrl : changes.homepageUrl,
    // Scopes the API no longer defines stay on an app until someone edits its scopes.
    scopes: changes.scopes ?? [],
    grantTypes: app.grantTypes,
    isPublic: app.isPublic,
    isResourceServer: app.isResourceServer,
    tokenEndpointAuthMethod: app.tokenEndpointAuthMethod,
    ownerId,
    createdVia: 'console',
  })
  const owner = ownerId === null ? undefined : await findUserById(deps.db, ownerId)
  if (ownerId !== null && !owner) throw new AppValidationError('owner', `No user has the id "${ownerId}"`)
  const workspaceId = changes.workspaceId === undefined ? app.workspaceId : changes.workspaceId
  if (workspaceId !== null && workspaceId !== app.workspaceId && !(await queries.workspaceExists(deps.db, workspaceId))) {
    throw new AppValidationError('workspace', 'That workspace does not exist')
  }

  const updated: App = {
    ...app,
    name: valid.name,
    description: valid.description,
    redirectUris: valid.redirectUris,
    homepageUrl: valid.homepageUrl,
    scopes: changes.scopes === undefined ? app.scopes : valid.scopes,
    ownerId,
    ownerDisabled: owner !== undefined && owner.disabled_at !== null,
    workspaceId,
  }
  const changed = fieldChanges(app, updated)
  if (changed.length === 0) return { app, changed, widenedScopes: [] }
  // The consent rule for apps whose scopes grew (issue 8) hooks in here: `widenedScopes` is the one check.
  // Narrowing needs nothing now: tokens are issued within the app's scopes at the time of issuance.
  const widened = widenedScopes(app.scopes, updated.scopes)

  updated.updatedAt = deps.clock.now()
  // Its own transaction, never a caller's: the announcement must follow the commit.
  const announce = await deps.db.transaction().execute(async (trx) => {
    await queries.updateAppSettings(trx, app.id, {
      name: updated.name,
      description: updated.description,
      redirect_uris: JSON.stringify(updated.redirectUris),
      homepage_url: updated.homepageUrl,
      scopes: JSON.stringify(updated.scopes),
      owner_id: updated.ownerId,
      workspace_id: updated.workspaceId,
      updated_at: updated.updatedAt,
    })
    return deps.notices.recordAppChanged(trx, app.clientId)
  })
  announce()
  return { app: updated, changed, widenedScopes: widened }
}

/**
 * The scopes `next` holds that `previous` did not: what an edit widened. The one place that
 * question is answered; widening follows the consent issue's rule (people who granted the app
 * the narrower scopes are asked again for the new ones).
 */
export function widenedScopes(previous: readonly string[], next: readonly string[]): string[] {
  return missingScopes(previous, next)
}

function fieldChanges(before: App, after: App): AppFieldChange[] {
  const changes: AppFieldChange[] = []
  const compare = (field: ChangedAppField, from: string | string[] | null, to: string | string[] | null) => {
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ field, from, to })
  }
  compare('name', before.name, after.name)
  compare('description', before.description, after.description)
  compare('redirect_uris', before.redirectUris, after.redirectUris)
  compare('homepage_url', before.homepageUrl, after.homepageUrl)
  compare('scopes', [...before.scopes].sort(), [...after.scopes].sort())
  compare('owner', before.ownerId, after.ownerId)
  compare('workspace', before.workspaceId, after.workspaceId)
  return changes
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

