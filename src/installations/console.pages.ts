import type { ScopeDefinition } from '../domain/scopes.js'
import { ACT_AS_USER } from '../domain/descriptor.js'
import { GatehouseError } from '../errors.js'
import { html, type sendSettingsPage, type SafeHtml } from '../web/index.js'
import type { InstallationState } from './installation.js'

/** What `sendSettingsPage` renders: title, lead, actions beside the title, body, status. */
export type SettingsPage = Parameters<typeof sendSettingsPage>[2]

export const WORKSPACES_PATH = '/settings/workspaces'
export const DEVELOPER_APPS_PATH = '/settings/developer/installed-apps'
export const ENFORCEMENTS_PATH = '/settings/admin/enforcements'

export function workspaceAppsPath(slug: string, ...rest: string[]): string {
  return [`${WORKSPACES_PATH}/${encodeURIComponent(slug)}/apps`, ...rest.map(encodeURIComponent)].join('/')
}

export function developerAppPath(key: string, action = ''): string {
  return `${DEVELOPER_APPS_PATH}/${encodeURIComponent(key)}${action ? `/${action}` : ''}`
}

/** What the act_as_user scope lets an app do, in the words of the install form. */
export const ACT_AS_USER_DESCRIPTION = 'Act on behalf of members of this workspace'

/** A refusal to show on the page it was asked from: its message is for people. Anything else is the error handler's. */
export function refusalOf(error: unknown): GatehouseError | undefined {
  return error instanceof GatehouseError && error.expose && error.status >= 400 && error.status < 600 && error.status !== 503 ? error : undefined
}

/**
 * The services write messages that continue a sentence ("the app … is disabled"); a notice starts
 * one. A message that starts with an identifier (an app key, "managed-app is …") keeps it as it is.
 */
export function sentence(message: string): string {
  return /^[a-z]+ /.test(message) ? message.charAt(0).toUpperCase() + message.slice(1) : message
}

const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
const DATE_TIME = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'UTC' })

/** "23 Nov 2026" (or with the time, for logs), with the exact instant for machines and on hover. */
export function timeOf(epochMs: number, withTime = false): SafeHtml {
  const instant = new Date(epochMs)
  return html`<time datetime="${instant.toISOString()}" title="${DATE_TIME.format(instant)} UTC">${withTime ? `${DATE_TIME.format(instant)} UTC` : DATE.format(instant)}</time>`
}

/** A dash in a table cell with nothing to show, read out as `label`. */
export function nothing(label: string): SafeHtml {
  return html`<span class="muted" aria-hidden="true">—</span><span class="visually-hidden">${label}</span>`
}

const STATE_BADGES: Record<InstallationState, SafeHtml> = {
  installing: html`<span class="badge warn">Installing</span>`,
  installed: html`<span class="badge ok">Installed</span>`,
  disabled: html`<span class="badge warn">Disabled</span>`,
  uninstalled: html`<span class="badge">Uninstalled</span>`,
  removed: html`<span class="badge">Removed by an import</span>`,
}

export function stateBadge(state: InstallationState): SafeHtml {
  return STATE_BADGES[state] ?? html`<span class="badge">${state}</span>`
}

/** The scopes an app asks for, each with what it allows (the API's own words; act_as_user in ours). */
export function scopeList(scopes: readonly string[], catalogue: readonly ScopeDefinition[], id?: string): SafeHtml {
  if (scopes.length === 0) return html`<p class="muted"${id ? html` id="${id}"` : ''}>No permissions: the app cannot call the API.</p>`
  return html`<ul class="scopes permission-list"${id ? html` id="${id}"` : ''}>
${scopes.map((name) => {
  const description = name === ACT_AS_USER ? ACT_AS_USER_DESCRIPTION : catalogue.find((s) => s.name === name)?.description
  return html`<li><span>${description ?? html`<span class="muted">No longer defined by the API</span>`}</span><span class="permission-meta"><code>${name}</code>${name === ACT_AS_USER ? html` <span class="badge warn">Impersonation</span>` : ''}</span></li>\n`
})}</ul>`
}

/** A notice at the top of a page for a refusal, keeping the message's own lines. */
export function errorNotice(message: string, details: SafeHtml | '' = ''): SafeHtml {
  return html`<div class="notice error" role="alert"><p>${sentence(message)}</p>${details}</div>`
}
