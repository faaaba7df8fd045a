import { randomBytes } from 'node:crypto'
import type { ConnectKeys } from '../apps/connect-keys.js'
import { endApprovalsNotCovering, type ConsentDeps } from '../consent/decisions.service.js'
import type { Clock } from '../domain/clock.js'
import { newClientId } from '../domain/client-id.js'
import { appUrl, type LifecycleEvent } from '../domain/descriptor.js'
import { newId } from '../domain/ids.js'
import { ConflictError, ForbiddenError, GatehouseError, NotFoundError } from '../errors.js'
import { revokeGrantRows } from '../oauth/grants.queries.js'
import type { RevocationList } from '../oauth/revocation-list.js'
import { FOREVER } from '../oauth/revocation-list.js'
import { isUniqueViolation, type Db } from '../store/database.js'
import type { Keyring } from '../store/secret-box.js'
import type { AppRequestPolicy } from './app-requests.js'
import { enqueueCallback, hasPendingCallbacks, recordSentCallback, sendCallback, skipPendingCallbacks, type AttemptOutcome, type LifecyclePayload } from './callbacks.js'
import { apiScopes, getInstalledApp, type InstalledApp } from './descriptors.service.js'
import { isLive, tenantOf, toInstallation, type Installation } from './installation.js'
import { PREVIOUS_SECRET_GRACE_MS, sealPreviousSecret, sealSharedSecret, usableSharedSecrets } from './installation-secrets.js'
import * as queries from './installations.queries.js'

export interface InstallationDeps {
  db: Db
  clock: Clock
  keyring: Keyring
  /** The platform's base URL: the `baseUrl` of every payload. */
  issuer: string
  connectKeys: Pick<ConnectKeys, 'signCallback'>
  requests: AppRequestPolicy
  revocations: Pick<RevocationList, 'record' | 'recordSubject' | 'recordAppChanged'>
  /** Told when a callback was queued, so it goes out now rather than at the next poll. */
  deliverer: { kick(): void }
  accessTokenTtlSeconds: number
  /** Where upgrading a classic add-on's installation ends the approvals that do not cover its new scopes. */
  consent?: ConsentDeps
}

/** Who asks: a workspace owner or an administrator may install and manage apps; the command line acts as an administrator. */
export interface Actor {
  id: string | null
  isAdmin: boolean
}

export interface InstallationChange {
  installation: Installation
  app: InstalledApp
  workspace: { id: string; slug: string; name: string }
}

/** The app did not accept its `installed` callback: nothing was installed (or rotated), and the message says what the app answered. */
export class AppRefusedCallbackError extends GatehouseError {
  constructor(
    message: string,
    readonly outcome: AttemptOutcome,
  ) {
    super('ERR_UPSTREAM', message, 502)
  }
}

// An install that held its place longer than this died with its process (the app gets 10 s to answer).
const ABANDONED_INSTALL_MS = 2 * 60_000
const CLOCK_SKEW_MS = 60_000
const PRODUCT_TYPE = 'gatehouse'

/**
 * Installs an app into a workspace. The app is asked first — a signed `installed` callback carrying
 * the new shared secret — and the installation exists only if it answers 2xx; meanwhile a row in
 * state 'installing' holds the place, so a second install of the same app into the same workspace
 * is refused rather than sending the app a second secret. The clientKey is the one the app had in
 * this tenant before (it is stable per app × tenant, across reinstalls); the oauthClientId and the
 * app account are new with every installation.
 */
export async function install(deps: InstallationDeps, request: { appKey: string; workspaceSlug: string; actor: Actor }): Promise<InstallationChange & { callback: AttemptOutcome }> {
  const app = await getInstalledApp(deps.db, request.appKey)
  if (app.disabled) throw new ConflictError(`the app "${app.key}" is disabled, so it cannot be installed; an administrator enables it on the admin apps page (or with gatehouse app enable ${app.key})`)
  const workspace = await requireWorkspace(deps.db, request.workspaceSlug)
  await requireWorkspaceAdmin(deps.db, workspace, request.actor, 'install apps into')

  const now = deps.clock.now()
  await queries.deleteAbandonedInstall(deps.db, app.appId, workspace.id, now - ABANDONED_INSTALL_MS)
  const live = await queries.findLiveInstallation(deps.db, app.appId, workspace.id)
  if (live) throw alreadyInstalled(app, workspace, live.state)

  const tenantId = tenantOf(workspace)
  const id = newId()
  const sharedSecret = randomBytes(32).toString('base64url')
  const sealed = sealSharedSecret(deps.keyring, id, sharedSecret)
  const clientKey = (await queries.findClientKeyInTenant(deps.db, app.appId, tenantId)) ?? newId()
  const previousClientKey = workspace.previous_tenant_id === null ? undefined : await queries.findClientKeyInTenant(deps.db, app.appId, workspace.previous_tenant_id)
  const oauthClientId = newClientId()
  try {
    await queries.insertInstallation(deps.db, {
      id,
      app_id: app.appId,
      workspace_id: workspace.id,
      tenant_id: tenantId,
      client_key: clientKey,
      oauth_client_id: oauthClientId,
      app_user_id: null,
      state: 'installing',
      shared_secret_sealed: sealed.sealed,
      kek_id: sealed.kekId,
      previous_secret_sealed: null,
      previous_kek_id: null,
      previous_secret_expires_at: null,
      previous_client_key: previousClientKey ?? null,
      descriptor_version: app.version,
      installed_by: request.actor.id,
      created_at: now,
      updated_at: now,
      ended_at: null,
    })
  } catch (error) {
    if (isUniqueViolation(error)) throw alreadyInstalled(app, workspace, 'installing')
    throw error
  }

  const payload = lifecyclePayload(deps, app, workspace, { clientKey, oauthClientId, previousClientKey }, 'installed', sharedSecret)
  const url = appUrl(app.descriptor.baseUrl, app.descriptor.lifecycle.installed)
  const outcome = await sendCallback(deps, { baseUrl: app.descriptor.baseUrl, url }, payload).catch(async (error: unknown) => {
    await queries.deleteInstallation(deps.db, id)
    throw error
  })
  if (!outcome.delivered) {
    await queries.deleteInstallation(deps.db, id)
    throw new AppRefusedCallbackError(`${app.descriptor.name} was not installed: its installed callback to ${url} did not succeed (${outcome.error}). Nothing was installed; fix the app, then install again.`, outcome)
  }

  await deps.db.transaction().execute(async (trx) => {
    const appUserId = await createAppAccount(trx, deps.clock, app, workspace.id)
    await queries.moveState(trx, id, ['installing'], 'installed', deps.clock.now(), { app_user_id: appUserId })
    await recordSentCallback(trx, deps.clock, id, 'installed', url, payload, outcome)
  })
  const installation = await requireInstallationById(deps.db, id)
  return { installation, app, workspace, callback: outcome }
}

/**
 * Uninstalls, disables or enables an installation, and queues the matching callback after every
 * earlier one. The state moves with a conditional update, so of two changes made at once one wins
 * and the other is refused with the state it found. Uninstalling revokes everything the
 * installation holds: its grants (JWT grant and impersonation), every token of its app account, the
 * account's workspace membership, and its shared secret. Disabling revokes its tokens and stops new
 * ones until it is enabled.
 */
export async function changeInstallation(deps: InstallationDeps, action: 'uninstall' | 'disable' | 'enable', request: { appKey: string; workspaceSlug: string; actor: Actor }): Promise<InstallationChange> {
  const app = await getInstalledApp(deps.db, request.appKey)
  const workspace = await requireWorkspace(deps.db, request.workspaceSlug)
  await requireWorkspaceAdmin(deps.db, workspace, request.actor, `${action} apps of`)
  const row = await queries.findLiveInstallation(deps.db, app.appId, workspace.id)
  if (!row || row.state === 'installing') throw new NotFoundError(`${app.key} is not installed in ${workspace.slug}`)
  const transition = TRANSITIONS[action]
  if (!transition.from.includes(row.state)) throw new ConflictError(`${app.key} is already ${row.state} in ${workspace.slug}`)

  const announcements: (() => void)[] = []
  const now = deps.clock.now()
  await deps.db.transaction().execute(async (trx) => {
    const ended = action === 'uninstall'
    const moved = await queries.moveState(trx, row.id, transition.from, transition.to, now, ended ? { ended_at: now, shared_secret_sealed: null, kek_id: null, previous_secret_sealed: null, previous_kek_id: null, previous_secret_expires_at: null } : {})
    if (!moved) throw new ConflictError(`${app.key} in ${workspace.slug} changed while this ${action} was asked; look at its state and try again`)
    if (action !== 'enable') await revokeHoldings(deps, trx, row.id, row.app_user_id, now, ended, announcements.push.bind(announcements))
    // Every process drops what it cached about the app's installations (the gate's look-ups) at once.
    announcements.push(await deps.revocations.recordAppChanged(trx, app.key))
    if (ended && row.app_user_id !== null) {
      await trx.deleteFrom('workspace_members').where('user_id', '=', row.app_user_id).execute()
      await trx.updateTable('users').set({ disabled_at: now }).where('id', '=', row.app_user_id).execute()
    }
    const path = app.descriptor.lifecycle[transition.event]
    if (path !== undefined) {
      const payload = lifecyclePayload(deps, app, workspace, { clientKey: row.client_key, oauthClientId: row.oauth_client_id }, transition.event)
      await enqueueCallback(trx, deps.clock, row.id, transition.event, appUrl(app.descriptor.baseUrl, path), payload)
    }
  })
  for (const announce of announcements) announce()
  deps.deliverer.kick()
  return { installation: await requireInstallationById(deps.db, row.id), app, workspace }
}

/**
 * A new shared secret, sent to the app in a signed `installed` callback (as on the reference
 * platform); only if the app accepts it does it replace the old one, which keeps working for
 * `PREVIOUS_SECRET_GRACE_MS` so requests the app signed meanwhile still verify. Refused while
 * callbacks are queued, so the `installed` never overtakes them.
 */
export async function rotateSharedSecret(deps: InstallationDeps, request: { appKey: string; workspaceSlug: string; actor: Actor }): Promise<InstallationChange & { previousSecretExpiresAt: number }> {
  const app = await getInstalledApp(deps.db, request.appKey)
  const workspace = await requireWorkspace(deps.db, request.workspaceSlug)
  await requireWorkspaceAdmin(deps.db, workspace, request.actor, 'rotate secrets of apps in')
  const row = await queries.findLiveInstallation(deps.db, app.appId, workspace.id)
  if (!row || !isLive(toInstallation(row))) throw new NotFoundError(`${app.key} is not installed in ${workspace.slug}`)
  if (await hasPendingCallbacks(deps.db, row.id)) throw new ConflictError(`callbacks to ${app.key} in ${workspace.slug} are still being delivered; rotate the secret once they are (gatehouse descriptor deliveries ${app.key})`)

  const [current] = usableSharedSecrets(deps.keyring, row, deps.clock)
  const sharedSecret = randomBytes(32).toString('base64url')
  const payload = lifecyclePayload(deps, app, workspace, { clientKey: row.client_key, oauthClientId: row.oauth_client_id, previousClientKey: row.previous_client_key ?? undefined }, 'installed', sharedSecret)
  const url = appUrl(app.descriptor.baseUrl, app.descriptor.lifecycle.installed)
  const outcome = await sendCallback(deps, { baseUrl: app.descriptor.baseUrl, url }, payload)
  if (!outcome.delivered) {
    await recordSentCallback(deps.db, deps.clock, row.id, 'installed', url, payload, outcome)
    throw new AppRefusedCallbackError(`the secret was not rotated: ${app.descriptor.name}'s installed callback to ${url} did not succeed (${outcome.error}); the current secret stays`, outcome)
  }
  const now = deps.clock.now()
  const previousSecretExpiresAt = now + PREVIOUS_SECRET_GRACE_MS
  const sealed = sealSharedSecret(deps.keyring, row.id, sharedSecret)
  const previous = current === undefined ? undefined : sealPreviousSecret(deps.keyring, row.id, current)
  await deps.db.transaction().execute(async (trx) => {
    const moved = await queries.moveState(trx, row.id, [row.state], row.state, now, {
      shared_secret_sealed: sealed.sealed,
      kek_id: sealed.kekId,
      previous_secret_sealed: previous?.sealed ?? null,
      previous_kek_id: previous?.kekId ?? null,
      previous_secret_expires_at: previous ? previousSecretExpiresAt : null,
    })
    if (!moved) throw new ConflictError(`${app.key} in ${workspace.slug} changed while its secret was rotated; the app holds a secret that is not in use, so rotate again`)
    await recordSentCallback(trx, deps.clock, row.id, 'installed', url, payload, outcome)
    return deps.revocations.recordAppChanged(trx, app.key)
  }).then((announce) => announce())
  return { installation: await requireInstallationById(deps.db, row.id), app, workspace, previousSecretExpiresAt }
}

/**
 * Ends every live installation of a workspace without telling the apps, as the reference platform
 * does when a site is imported over it: each is marked 'removed' (its identifiers stay, for lineage
 * and stale-identifier checks), loses its secret, its grants and tokens, and its account's membership;
 * callbacks still queued for it are skipped. Runs inside the caller's transaction; returns the
 * revocation announcements to make once it commits.
 */
export async function removeInstallationsOf(deps: Pick<InstallationDeps, 'clock' | 'revocations' | 'accessTokenTtlSeconds'>, trx: Db, workspaceId: string): Promise<{ removed: { appKey: string; clientKey: string }[]; announcements: (() => void)[] }> {
  const rows = await trx
    .selectFrom('installations')
    .innerJoin('descriptors', 'descriptors.app_id', 'installations.app_id')
    .select(['installations.id', 'installations.app_user_id', 'installations.client_key', 'descriptors.key'])
    .where('installations.workspace_id', '=', workspaceId)
    .where('installations.state', 'in', ['installing', 'installed', 'disabled'])
    .execute()
  const announcements: (() => void)[] = []
  const now = deps.clock.now()
  for (const row of rows) {
    await queries.moveState(trx, row.id, ['installing', 'installed', 'disabled'], 'removed', now, { ended_at: now, shared_secret_sealed: null, kek_id: null, previous_secret_sealed: null, previous_kek_id: null, previous_secret_expires_at: null })
    await revokeHoldings(deps, trx, row.id, row.app_user_id, now, true, (a) => announcements.push(a))
    if (row.app_user_id !== null) {
      await trx.deleteFrom('workspace_members').where('user_id', '=', row.app_user_id).execute()
      await trx.updateTable('users').set({ disabled_at: now }).where('id', '=', row.app_user_id).execute()
    }
    await skipPendingCallbacks(trx, deps.clock, row.id)
    announcements.push(await deps.revocations.recordAppChanged(trx, row.key))
  }
  return { removed: rows.map((r) => ({ appKey: r.key, clientKey: r.client_key })), announcements }
}

/**
 * Brings an installation to its app's current descriptor version. For a classic add-on (approval
 * "per-installation") this is how an update reaches a workspace, as on the reference platform: the
 * approvals of this installation that do not cover the new scopes end (or keep their old scopes for a
 * grace period); other installations of the add-on keep theirs. A shared app's installations follow
 * its versions by themselves, so for them this only records the version.
 */
export async function upgradeInstallation(deps: InstallationDeps, request: { appKey: string; workspaceSlug: string; actor: Actor; reconsentGraceMs?: number }): Promise<InstallationChange & { fromVersion: number; approvalsEnded: number; approvalsInGrace: number }> {
  const app = await getInstalledApp(deps.db, request.appKey)
  const workspace = await requireWorkspace(deps.db, request.workspaceSlug)
  await requireWorkspaceAdmin(deps.db, workspace, request.actor, 'upgrade apps in')
  const row = await queries.findLiveInstallation(deps.db, app.appId, workspace.id)
  if (!row || !isLive(toInstallation(row))) throw new NotFoundError(`${app.key} is not installed in ${workspace.slug}`)
  if (row.descriptor_version === app.version) throw new ConflictError(`${app.key} in ${workspace.slug} is already at version ${app.version}`)
  await deps.db.updateTable('installations').set({ descriptor_version: app.version, updated_at: deps.clock.now() }).where('id', '=', row.id).execute()
  const reconsent = app.descriptor.approval === 'per-installation' && deps.consent
    ? await endApprovalsNotCovering(deps.consent, { appId: app.appId, installationId: row.id, appScopes: apiScopes(app.descriptor), graceMs: request.reconsentGraceMs })
    : { ended: 0, inGrace: 0 }
  return { installation: await requireInstallationById(deps.db, row.id), app, workspace, fromVersion: row.descriptor_version, approvalsEnded: reconsent.ended, approvalsInGrace: reconsent.inGrace }
}

export interface InstallationListing extends Installation {
  appKey: string
  appName: string
  workspaceSlug: string
  workspaceName: string
  installedByUsername: string | null
}

export async function listInstallations(db: Db, filter: { appId?: string; workspaceId?: string; includeEnded?: boolean } = {}): Promise<InstallationListing[]> {
  let query = queries.installationRows(db)
  if (filter.appId !== undefined) query = query.where('installations.app_id', '=', filter.appId)
  if (filter.workspaceId !== undefined) query = query.where('installations.workspace_id', '=', filter.workspaceId)
  if (!filter.includeEnded) query = query.where('installations.state', 'in', ['installed', 'disabled'])
  const rows = await query.execute()
  return rows.map((row) => ({
    ...toInstallation(row),
    appKey: row.app_key,
    appName: row.app_name,
    workspaceSlug: row.workspace_slug,
    workspaceName: row.workspace_name,
    installedByUsername: row.installed_by_username,
  }))
}

export interface DeliveryListing {
  id: string
  workspaceSlug: string
  clientKey: string
  sequence: number
  event: string
  url: string
  state: string
  attempts: number
  nextAttemptAt: number | null
  lastStatus: number | null
  lastError: string | null
  createdAt: number
  finishedAt: number | null
  payload: unknown
}

/** The app's callback log, newest first: what the vendor reads to see what was sent and how it went. */
export async function listDeliveries(db: Db, appId: string, limit = 100): Promise<DeliveryListing[]> {
  const rows = await queries.listDeliveries(db, appId, limit)
  return rows.map((row) => ({
    id: row.id,
    workspaceSlug: row.workspace_slug,
    clientKey: row.client_key,
    sequence: row.sequence,
    event: row.event,
    url: row.url,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastStatus: row.last_status,
    lastError: row.last_error,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
    payload: JSON.parse(row.payload) as unknown,
  }))
}

const TRANSITIONS: Record<'uninstall' | 'disable' | 'enable', { from: string[]; to: string; event: LifecycleEvent }> = {
  uninstall: { from: ['installed', 'disabled'], to: 'uninstalled', event: 'uninstalled' },
  disable: { from: ['installed'], to: 'disabled', event: 'disabled' },
  enable: { from: ['disabled'], to: 'installed', event: 'enabled' },
}

function lifecyclePayload(
  deps: Pick<InstallationDeps, 'issuer'>,
  app: InstalledApp,
  workspace: { slug: string; name: string },
  ids: { clientKey: string; oauthClientId: string; previousClientKey?: string },
  eventType: LifecycleEvent,
  sharedSecret?: string,
): LifecyclePayload {
  return {
    key: app.key,
    clientKey: ids.clientKey,
    ...(sharedSecret === undefined ? {} : { sharedSecret }),
    oauthClientId: ids.oauthClientId,
    baseUrl: deps.issuer,
    displayUrl: deps.issuer,
    productType: PRODUCT_TYPE,
    description: `Gatehouse workspace ${workspace.name}`,
    eventType,
    workspace: { slug: workspace.slug, name: workspace.name },
    ...(ids.previousClientKey === undefined ? {} : { previousClientKey: ids.previousClientKey }),
  }
}

/** Revokes what an installation holds: its grants and, through its account's cutoff, every token the account was issued. */
async function revokeHoldings(deps: Pick<InstallationDeps, 'revocations' | 'accessTokenTtlSeconds'>, trx: Db, installationId: string, appUserId: string | null, now: number, forever: boolean, announce: (a: () => void) => void): Promise<void> {
  const lifetimeMs = deps.accessTokenTtlSeconds * 1000 + CLOCK_SKEW_MS
  for (const grantId of await queries.liveGrantIds(trx, installationId)) {
    if (await revokeGrantRows(trx, grantId, now, forever ? 'app uninstalled' : 'app disabled')) announce(await deps.revocations.record(trx, 'grant', grantId, now + lifetimeMs))
  }
  if (appUserId === null) return
  // Uninstalled: the account is never used again. Disabled: tokens issued until now die; the JWT grant refuses new ones until enabled.
  announce(await deps.revocations.recordSubject(trx, 'user', appUserId, forever ? { issuedBefore: 'all', expiresAt: FOREVER } : { issuedBefore: now, expiresAt: now + lifetimeMs }))
}

/**
 * The account an installation acts as inside its workspace: a member (not an owner), which never
 * signs in (`kind = 'app'`, no password). A new one with every installation, since an uninstall
 * revokes its predecessor's tokens for good.
 */
async function createAppAccount(trx: Db, clock: Clock, app: InstalledApp, workspaceId: string): Promise<string> {
  const id = newId()
  const now = clock.now()
  const suffix = randomBytes(4).toString('hex')
  await trx
    .insertInto('users')
    .values({ id, username: `${app.key.slice(0, 29)}-${suffix}`, password_hash: '!', is_admin: 0, display_name: app.descriptor.name.slice(0, 100), created_at: now, disabled_at: null, kind: 'app' })
    .execute()
  await trx.insertInto('workspace_members').values({ workspace_id: workspaceId, user_id: id, role: 'member', created_at: now }).execute()
  return id
}

async function requireWorkspace(db: Db, slug: string) {
  const workspace = await queries.findWorkspaceBySlug(db, slug)
  if (!workspace) throw new NotFoundError(`no workspace has the slug "${slug}"`)
  return workspace
}

async function requireWorkspaceAdmin(db: Db, workspace: { id: string; slug: string }, actor: Actor, doing: string): Promise<void> {
  if (actor.isAdmin) return
  const owners = await queries.listWorkspaceOwners(db, workspace.id)
  if (actor.id !== null && owners.some((owner) => owner.id === actor.id)) return
  const who = owners.length > 0 ? `; ask ${owners.map((o) => o.username).join(' or ')}` : ''
  throw new ForbiddenError(`only an owner of workspace ${workspace.slug} or an administrator may ${doing} it${who}`)
}

async function requireInstallationById(db: Db, id: string): Promise<Installation> {
  const row = await db.selectFrom('installations').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
  return toInstallation(row)
}

function alreadyInstalled(app: InstalledApp, workspace: { slug: string }, state: string): ConflictError {
  if (state === 'installing') return new ConflictError(`${app.key} is being installed in ${workspace.slug} right now`)
  if (state === 'disabled') return new ConflictError(`${app.key} is already installed in ${workspace.slug}, disabled; enable it instead (gatehouse enable ${app.key} --workspace ${workspace.slug})`)
  return new ConflictError(`${app.key} is already installed in ${workspace.slug}`)
}
