import type { LifecycleEvent } from '../domain/descriptor.js'
import { findIn, MAX_EVENTS, putIn, type InstallationStore, type StoreData, type VendorInstallation } from './installation-store.js'
import { VendorError } from './vendor-errors.js'

/** What the platform POSTs to a lifecycle path (`installed` alone carries `sharedSecret`). */
export interface LifecyclePayload {
  key: string
  clientKey: string
  sharedSecret?: string
  oauthClientId: string
  /** The platform's URL: where the app calls back. */
  baseUrl: string
  displayUrl?: string
  productType?: string
  description?: string
  eventType: LifecycleEvent
  /** The workspace installed into (Gatehouse sends it; the reference platform's `principal`). */
  workspace?: { slug: string; name: string }
  /** After a site import: the clientKey the workspace had before, whose data this installation takes over. */
  previousClientKey?: string
}

export interface PayloadExpectations {
  appKey: string
  platformUrl: string
}

const MAX_FIELD_LENGTH = 2000

/** The payload of a verified callback, checked field by field; a field that is wrong is named. */
export function readPayload(event: LifecycleEvent, body: unknown, expected: PayloadExpectations): LifecyclePayload {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new VendorError('invalid_payload', `the ${event} callback's body must be a JSON object`)
  const fields = body as Record<string, unknown>
  const required = (name: string) => {
    const value = fields[name]
    if (typeof value !== 'string' || value === '' || value.length > MAX_FIELD_LENGTH) throw new VendorError('invalid_payload', `"${name}": expected a non-empty string`)
    return value
  }
  const optional = (name: string) => (fields[name] === undefined || fields[name] === null ? undefined : required(name))
  const payload: LifecyclePayload = {
    key: required('key'),
    clientKey: required('clientKey'),
    oauthClientId: required('oauthClientId'),
    baseUrl: required('baseUrl'),
    displayUrl: optional('displayUrl'),
    productType: optional('productType'),
    description: typeof fields.description === 'string' ? fields.description.slice(0, MAX_FIELD_LENGTH) : undefined,
    eventType: required('eventType') as LifecycleEvent,
    workspace: workspaceOf(fields.workspace),
    previousClientKey: optional('previousClientKey'),
  }
  if (payload.key !== expected.appKey) throw new VendorError('invalid_payload', `"key": this app is "${expected.appKey}", not "${payload.key}"`)
  if (payload.eventType !== event) throw new VendorError('invalid_payload', `"eventType": this is the ${event} callback, not ${payload.eventType}`)
  if (payload.baseUrl.replace(/\/+$/, '') !== expected.platformUrl) {
    // The app only ever calls the platform it trusts: the one that signed the callback.
    throw new VendorError('invalid_payload', `"baseUrl": this app calls ${expected.platformUrl}, not ${payload.baseUrl}`)
  }
  if (event === 'installed') payload.sharedSecret = required('sharedSecret')
  return payload
}

function workspaceOf(value: unknown): LifecyclePayload['workspace'] {
  if (value === undefined || value === null) return undefined
  const { slug, name } = value as Record<string, unknown>
  if (typeof slug !== 'string' || slug === '' || typeof name !== 'string' || slug.length > MAX_FIELD_LENGTH || name.length > MAX_FIELD_LENGTH) {
    throw new VendorError('invalid_payload', '"workspace": expected an object {slug, name}')
  }
  return { slug, name }
}

/**
 * Applies a verified lifecycle callback to the store.
 * - `installed` stores the installation, or, for a clientKey already known (a reinstall, or a
 *   secret rotation re-sending `installed`), replaces its secret and identifiers and keeps its data.
 *   With `previousClientKey` (a site import), the earlier installation's data moves here, and its
 *   clientKey joins this one's lineage; the earlier record keeps only a pointer to this one.
 * - `uninstalled` forgets the secret and keeps the data: the clientKey is stable across reinstall.
 * - `enabled` / `disabled` switch the page on or off.
 * A callback for a clientKey never installed changes nothing and is still acknowledged.
 */
export function applyLifecycle(store: InstallationStore, payload: LifecyclePayload, now: number): Promise<VendorInstallation | undefined> {
  return store.update((data) => (payload.eventType === 'installed' ? install(data, payload, now) : transition(data, payload, now)))
}

function install(data: StoreData, payload: LifecyclePayload, now: number): VendorInstallation {
  const existing = findIn(data, payload.clientKey)
  const note = !existing
    ? undefined
    : existing.state === 'uninstalled' || existing.state === 'moved'
      ? 'installed again'
      : existing.sharedSecret !== payload.sharedSecret
        ? 'shared secret replaced'
        : 'installed again, same secret'
  const installation: VendorInstallation = {
    clientKey: payload.clientKey,
    key: payload.key,
    sharedSecret: payload.sharedSecret!,
    oauthClientId: payload.oauthClientId,
    platformBaseUrl: payload.baseUrl,
    displayUrl: payload.displayUrl ?? null,
    productType: payload.productType ?? null,
    description: payload.description ?? null,
    state: 'enabled',
    installedAt: existing?.installedAt ?? now,
    updatedAt: now,
    lineage: existing?.lineage ?? [],
    movedTo: null,
    workspace: payload.workspace ?? existing?.workspace ?? null,
    events: record(existing?.events ?? [], { event: 'installed', at: now, ...(note ? { note } : {}) }),
    calls: existing?.calls ?? [],
  }
  const previousKey = payload.previousClientKey
  if (previousKey !== undefined && previousKey !== payload.clientKey) takeOver(data, installation, previousKey, now)
  putIn(data, installation)
  return installation
}

/** Moves the earlier installation's data to `installation`; repeated (a re-sent `installed`), it moves nothing twice. */
function takeOver(data: StoreData, installation: VendorInstallation, previousKey: string, now: number): void {
  const previous = findIn(data, previousKey)
  installation.lineage = [...new Set([previousKey, ...(previous?.lineage ?? []), ...installation.lineage])]
  if (!previous || previous.movedTo === installation.clientKey) return
  installation.calls = [...installation.calls, ...previous.calls].sort((a, b) => b.at - a.at)
  installation.workspace ??= previous.workspace
  installation.events = record(installation.events, { event: 'installed', at: now, note: `took over the data of ${previousKey} (site import)` })
  putIn(data, {
    ...previous,
    sharedSecret: null,
    state: 'moved',
    movedTo: installation.clientKey,
    calls: [],
    updatedAt: now,
    events: record(previous.events, { event: 'installed', at: now, note: `data moved to ${installation.clientKey}` }),
  })
}

function transition(data: StoreData, payload: LifecyclePayload, now: number): VendorInstallation | undefined {
  const existing = findIn(data, payload.clientKey)
  if (!existing || existing.state === 'moved') return undefined
  const event = payload.eventType
  const updated: VendorInstallation = { ...existing, workspace: payload.workspace ?? existing.workspace, updatedAt: now, events: record(existing.events, { event, at: now }) }
  if (event === 'uninstalled') Object.assign(updated, { state: 'uninstalled', sharedSecret: null })
  else if (existing.state !== 'uninstalled') updated.state = event === 'enabled' ? 'enabled' : 'disabled'
  putIn(data, updated)
  return updated
}

function record(events: VendorInstallation['events'], event: VendorInstallation['events'][number]): VendorInstallation['events'] {
  return [event, ...events].slice(0, MAX_EVENTS)
}
