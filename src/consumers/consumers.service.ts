import { deleteApp, disableApp, enableApp, rotateAppSecret, type AccountAdminDeps, type AppChange } from '../admin/accounts.service.js'
import type { App, GrantType } from '../apps/app.js'
import { AppValidationError, createApp, updateApp, type AppFieldChange } from '../apps/apps.service.js'
import type { SecretFormat } from '../domain/opaque-token.js'
import type { ScopeDefinition } from '../domain/scopes.js'
import { endApprovalsNotCovering } from '../consent/decisions.service.js'
import { NotFoundError } from '../errors.js'
import type { Db } from '../store/database.js'
import type { SessionUser } from '../web/index.js'
import { administersWorkspace, findConsumerRow, listAdministeredWorkspaces, listManagedApps, type ConsumerRow, type WorkspaceRef } from './consumers.queries.js'

export type { ConsumerRow, WorkspaceRef } from './consumers.queries.js'

export interface ConsumerDeps {
  /** The app lifecycle services (disable, enable, delete, rotate) and what they announce changes on. */
  accounts: AccountAdminDeps
  catalogue: readonly ScopeDefinition[]
  secrets: SecretFormat
  /** How long a rotated-out secret keeps working (GATEHOUSE_SECRET_ROTATION_GRACE). */
  rotationGraceSeconds: number
}

/** The consumer form as typed, kept as text so a refused form comes back exactly as it was sent. */
export interface ConsumerFormValues {
  name: string
  description: string
  /** One callback URL per line. */
  redirectUris: string
  homepageUrl: string
  isPrivate: boolean
  /** A workspace id, or '' for a personal consumer. */
  workspaceId: string
  scopes: string[]
  /** When the permissions grow, days the earlier approvals keep working with the old ones ('0': they end now). */
  reconsentGraceDays: string
}

export type ConsumerAction = 'disable' | 'enable' | 'delete'

const PRIVATE_GRANTS: GrantType[] = ['authorization_code', 'refresh_token', 'client_credentials']
const PUBLIC_GRANTS: GrantType[] = ['authorization_code', 'refresh_token']
const ACTIONS: Record<ConsumerAction, (deps: AccountAdminDeps, clientId: string) => Promise<AppChange>> = { disable: disableApp, enable: enableApp, delete: deleteApp }

/** The consumers `user` manages: their own and those of the workspaces they administer. */
export function listConsumers(db: Db, user: SessionUser): Promise<ConsumerRow[]> {
  return listManagedApps(db, user.id)
}

/**
 * The one rule for who may see or change a consumer: its owner, an owner of its workspace, or a
 * platform administrator. Anyone else is told no consumer has that key, exactly as if none had:
 * a key is not a secret, but whether it exists is none of their business.
 */
export async function findManageableConsumer(db: Db, user: SessionUser, clientId: string): Promise<ConsumerRow> {
  const consumer = await findConsumerRow(db, clientId)
  if (consumer && (await mayManage(db, user, consumer.app))) return consumer
  throw new NotFoundError(`No consumer has the key "${clientId}"`)
}

async function mayManage(db: Db, user: SessionUser, app: App): Promise<boolean> {
  if (user.isAdmin || app.ownerId === user.id) return true
  return app.workspaceId !== null && administersWorkspace(db, app.workspaceId, user.id)
}

/** The workspaces the form offers: those `user` administers, and the consumer's own (an administrator may edit one in another). */
export async function workspaceChoices(db: Db, user: SessionUser, current?: WorkspaceRef | null): Promise<WorkspaceRef[]> {
  const administered = await listAdministeredWorkspaces(db, user.id)
  return current && !administered.some((w) => w.id === current.id) ? [...administered, current] : administered
}

/** A consumer owned by `user`; a private one gets its secret, returned here once. */
export async function createConsumer(deps: ConsumerDeps, user: SessionUser, values: ConsumerFormValues): Promise<{ app: App; clientSecret?: string }> {
  const workspaceId = await chosenWorkspace(deps.accounts.db, user, values.workspaceId, null)
  const { db, clock, revocations } = deps.accounts
  const created = await db.transaction().execute(async (trx) => {
    const result = await createApp(trx, clock, deps.catalogue, {
      name: values.name,
      description: values.description,
      redirectUris: callbackUrls(values.redirectUris),
      homepageUrl: values.homepageUrl,
      scopes: values.scopes,
      isPublic: !values.isPrivate,
      // Client credentials act as the owner: the person who made the consumer.
      grantTypes: values.isPrivate ? PRIVATE_GRANTS : PUBLIC_GRANTS,
      ownerId: user.id,
      workspaceId,
      createdVia: 'console',
    }, deps.secrets)
    // Running servers hear of it: its callback origins join the CORS origins.
    return { ...result, announce: await revocations.recordAppChanged(trx, result.app.clientId) }
  })
  created.announce()
  return created.clientSecret ? { app: created.app, clientSecret: created.clientSecret } : { app: created.app }
}

/**
 * Saves the edit form; the type (private or public) and the owner stay. Permissions that grow end
 * the approvals people gave for fewer (their tokens too), or, with a grace period, let them work
 * with the old permissions until the period is over (the consent issue's rule).
 */
export async function updateConsumer(deps: ConsumerDeps, user: SessionUser, consumer: ConsumerRow, values: ConsumerFormValues): Promise<{ changed: AppFieldChange[]; reconsent: { ended: number; inGrace: number } | null }> {
  const workspaceId = await chosenWorkspace(deps.accounts.db, user, values.workspaceId, consumer.app.workspaceId)
  const { app, changed, widenedScopes } = await updateApp({ db: deps.accounts.db, clock: deps.accounts.clock, notices: deps.accounts.revocations }, deps.catalogue, consumer.app.clientId, {
    name: values.name,
    description: values.description,
    redirectUris: callbackUrls(values.redirectUris),
    homepageUrl: values.homepageUrl,
    scopes: values.scopes,
    workspaceId,
  })
  if (widenedScopes.length === 0) return { changed, reconsent: null }
  const graceMs = Number(values.reconsentGraceDays || '0') * 86_400_000
  const reconsent = await endApprovalsNotCovering({ ...deps.accounts, catalogue: deps.catalogue }, { appId: app.id, installationId: null, appScopes: app.scopes, graceMs })
  return { changed, reconsent }
}

export function rotateConsumerSecret(deps: ConsumerDeps, consumer: ConsumerRow) {
  return rotateAppSecret(deps.accounts, consumer.app.clientId, deps.rotationGraceSeconds, deps.secrets)
}

/** Disabling and deleting revoke the consumer's tokens at once, on every server. */
export function changeConsumerState(deps: ConsumerDeps, consumer: ConsumerRow, action: ConsumerAction): Promise<AppChange> {
  return ACTIONS[action](deps.accounts, consumer.app.clientId)
}

/** The form's values for an existing consumer, to prefill the edit form. */
export function formValuesOf(app: App): ConsumerFormValues {
  return {
    name: app.name,
    description: app.description,
    redirectUris: app.redirectUris.join('\n'),
    homepageUrl: app.homepageUrl ?? '',
    isPrivate: !app.isPublic,
    workspaceId: app.workspaceId ?? '',
    scopes: app.scopes,
    reconsentGraceDays: '0',
  }
}

/** A consumer may stay where it is; moving it takes administering the workspace it moves to. */
async function chosenWorkspace(db: Db, user: SessionUser, chosen: string, current: string | null): Promise<string | null> {
  if (chosen === '') return null
  if (chosen === current || (await administersWorkspace(db, chosen, user.id))) return chosen
  throw new AppValidationError('workspace', 'Choose a workspace you administer, or Personal')
}

function callbackUrls(text: string): string[] {
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== '')
}
