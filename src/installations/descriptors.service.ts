import { endApprovalsNotCovering, type ConsentDeps } from '../consent/decisions.service.js'
import type { Clock } from '../domain/clock.js'
import { ACT_AS_USER, validateDescriptor, type Descriptor, type DescriptorProblem } from '../domain/descriptor.js'
import { newId } from '../domain/ids.js'
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors.js'
import { inTransaction, type Db } from '../store/database.js'
import { AppUnreachableError, requestApp, type AppRequestPolicy } from './app-requests.js'
import * as queries from './descriptors.queries.js'

export interface DescriptorDeps {
  db: Db
  clock: Clock
  /** The scopes the API defines; a descriptor may ask for these and `act_as_user`. */
  scopeNames: readonly string[]
  /** http baseUrls: only where Gatehouse itself runs on loopback (development, the demo, tests). */
  allowInsecureBaseUrl: boolean
  requests: AppRequestPolicy
  /** Where an update that asks for more scopes ends (or starts a grace period for) people's approvals. */
  consent?: ConsentDeps
}

/**
 * Where a descriptor comes from: the vendor's URL (fetched now, and remembered), or a document given
 * directly (a file, a form). `key`: the update of a known app, whose document must still have its key.
 */
export type DescriptorSource = ({ url: string } | { document: unknown }) & { key?: string }

/** A registered installed app: its descriptor and who publishes it. */
export interface InstalledApp {
  appId: string
  key: string
  descriptor: Descriptor
  sourceUrl: string | null
  version: number
  ownerId: string | null
  ownerUsername: string | null
  disabled: boolean
  createdAt: number
  updatedAt: number
}

export interface DescriptorRegistration {
  app: InstalledApp
  created: boolean
  /** False when the descriptor is exactly the one already registered. */
  changed: boolean
  /** Scopes this version asks for that the previous one did not: what the consent issue's re-approval rule reads. */
  addedScopes: string[]
  removedScopes: string[]
}

/** Every problem of a descriptor, one per line, each naming the field and what was expected. */
export class DescriptorInvalidError extends BadRequestError {
  constructor(readonly problems: DescriptorProblem[]) {
    super(`the descriptor is not valid:\n${problems.map((p) => `  - ${p.message}`).join('\n')}`)
  }
}

const DESCRIPTOR_ORIGIN = 'descriptor'

/**
 * Registers a descriptor, or updates the one with its key. A new key gets a backing app (created
 * via 'descriptor': it carries the name, owner, scopes and disabled flag, so tokens, revocation and
 * the admin console treat it as any app); `act_as_user` stays in the descriptor, since no API
 * operation requires it. Only the app's owner (or an administrator) may update it; an update that
 * changes anything is a new version.
 */
export async function registerDescriptor(
  deps: DescriptorDeps,
  source: DescriptorSource,
  actor: { ownerId: string; isAdmin: boolean },
  options: { reconsentGraceMs?: number } = {},
): Promise<DescriptorRegistration> {
  const registration = await saveDescriptor(deps, source, actor)
  // A shared app's new version that asks for more: every approval of fewer ends (or, with a grace
  // period, keeps its old scopes until then). A classic add-on's approvals belong to installations,
  // which end theirs when each is upgraded (`upgradeInstallation`).
  if (!registration.created && registration.addedScopes.length > 0 && registration.app.descriptor.approval === 'shared' && deps.consent) {
    await endApprovalsNotCovering(deps.consent, { appId: registration.app.appId, installationId: null, appScopes: apiScopes(registration.app.descriptor), graceMs: options.reconsentGraceMs })
  }
  return registration
}

async function saveDescriptor(deps: DescriptorDeps, source: DescriptorSource, actor: { ownerId: string; isAdmin: boolean }): Promise<DescriptorRegistration> {
  const sourceUrl = 'url' in source ? source.url : null
  const document = 'url' in source ? await fetchDescriptor(source.url, deps.requests) : source.document
  const result = validateDescriptor(document, { scopeNames: deps.scopeNames, allowInsecureBaseUrl: deps.allowInsecureBaseUrl })
  if (!result.ok) throw new DescriptorInvalidError(result.problems)
  const descriptor = result.descriptor
  if (source.key !== undefined && descriptor.key !== source.key) {
    throw new BadRequestError(`the descriptor${sourceUrl ? ` at ${sourceUrl}` : ''} now has the key "${descriptor.key}", not "${source.key}"; a new key is a new app, so register it as one`)
  }
  const now = deps.clock.now()
  const appFields = {
    name: descriptor.name,
    description: descriptor.description,
    homepage_url: descriptor.vendor?.url ?? null,
    scopes: JSON.stringify(apiScopes(descriptor)),
    updated_at: now,
  }

  return inTransaction(deps.db, async (trx) => {
    const existing = await queries.findDescriptorByKey(trx, descriptor.key)
    if (!existing) {
      if (await queries.findAppIdByClientId(trx, descriptor.key)) {
        throw new ConflictError(`the key "${descriptor.key}" is already the client_id of an OAuth app; choose another key for the descriptor`)
      }
      const appId = newId()
      await queries.insertDescriptorApp(
        trx,
        {
          id: appId,
          client_id: descriptor.key,
          owner_id: actor.ownerId,
          is_public: 1,
          token_endpoint_auth_method: 'none',
          redirect_uris: '[]',
          grant_types: '[]',
          created_via: DESCRIPTOR_ORIGIN,
          created_at: now,
          disabled_at: null,
          verified_at: null,
          workspace_id: null,
          ...appFields,
        },
        { app_id: appId, key: descriptor.key, document: JSON.stringify(descriptor), source_url: sourceUrl, version: 1, created_at: now, updated_at: now },
      )
      const created = await queries.findDescriptorByKey(trx, descriptor.key)
      return { app: toInstalledApp(created!), created: true, changed: true, addedScopes: descriptor.scopes, removedScopes: [] }
    }
    if (existing.owner_id !== actor.ownerId && !actor.isAdmin) {
      throw new ForbiddenError(`the app "${descriptor.key}" is published by ${existing.owner_username ?? 'another account'}; only its owner or an administrator may update its descriptor`)
    }
    const previous = JSON.parse(existing.document) as Descriptor
    const changed = JSON.stringify(previous) !== JSON.stringify(descriptor) || existing.source_url !== sourceUrl
    if (changed) {
      await queries.updateDescriptor(trx, existing.app_id, appFields, {
        document: JSON.stringify(descriptor),
        source_url: sourceUrl,
        version: existing.version + 1,
        updated_at: now,
      })
    }
    const updated = (await queries.findDescriptorByKey(trx, descriptor.key))!
    return {
      app: toInstalledApp(updated),
      created: false,
      changed,
      addedScopes: descriptor.scopes.filter((s) => !previous.scopes.includes(s)),
      removedScopes: previous.scopes.filter((s) => !descriptor.scopes.includes(s)),
    }
  })
}

/** The vendor's descriptor from its URL, as JSON; what went wrong otherwise, said so the vendor can fix it. */
export async function fetchDescriptor(url: string, policy: AppRequestPolicy): Promise<unknown> {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new BadRequestError(`"${url}" is not a URL; give the descriptor's https URL or a file`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new BadRequestError(`the descriptor URL must be http(s), got "${url}"`)
  let response
  try {
    response = await requestApp({ method: 'GET', url, baseUrl: url, headers: { accept: 'application/json' } }, policy)
  } catch (error) {
    if (error instanceof AppUnreachableError) throw new BadRequestError(`cannot fetch the descriptor from ${url}: ${error.message}`)
    throw error
  }
  if (response.status !== 200) throw new BadRequestError(`cannot fetch the descriptor from ${url}: it answered ${response.status}, expected 200 with the descriptor JSON`)
  try {
    return JSON.parse(response.body)
  } catch {
    throw new BadRequestError(`the descriptor at ${url} is not JSON${response.contentType ? ` (it was sent as ${response.contentType})` : ''}`)
  }
}

export async function getInstalledApp(db: Db, key: string): Promise<InstalledApp> {
  const row = await queries.findDescriptorByKey(db, key)
  if (!row) throw new NotFoundError(`no installed app has the key "${key}"; register its descriptor first (gatehouse descriptor add <url-or-file> --owner <username>)`)
  return toInstalledApp(row)
}

export async function listInstalledApps(db: Db, ownerId?: string): Promise<InstalledApp[]> {
  return (await queries.listDescriptorRows(db, ownerId)).map(toInstalledApp)
}

/** The scopes the backing app holds: what tokens of the app may carry. */
export function apiScopes(descriptor: Pick<Descriptor, 'scopes'>): string[] {
  return descriptor.scopes.filter((scope) => scope !== ACT_AS_USER)
}

function toInstalledApp(row: queries.DescriptorJoinedRow): InstalledApp {
  return {
    appId: row.app_id,
    key: row.key,
    descriptor: JSON.parse(row.document) as Descriptor,
    sourceUrl: row.source_url,
    version: row.version,
    ownerId: row.owner_id,
    ownerUsername: row.owner_username,
    disabled: row.disabled_at !== null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
