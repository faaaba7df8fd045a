import { bridgeAttributes, bridgeDialog, bridgeNotices, type BridgeHost } from '../consent/bridge.pages.js'
import type { ScopeDefinition } from '../domain/scopes.js'
import { csrfField, flash, html, type SafeHtml } from '../web/index.js'
import { errorNotice, scopeList, stateBadge, timeOf, WORKSPACES_PATH, workspaceAppsPath, type SettingsPage } from './console.pages.js'
import type { MembershipRow } from './console.queries.js'
import type { PageModuleFrame, WorkspaceView } from './console.service.js'
import type { InstalledApp } from './descriptors.service.js'
import type { InstallationListing } from './installations.service.js'

/** Workspaces → the person's workspaces, each workspace's installed apps (and installing one), and an app's page inside the platform. */

/** Where an app's page is shown inside the platform: `/workspaces/{slug}/apps/{app-key}/{module-key}`. */
export const PAGE_MODULES_PATH = '/workspaces'

export function pageModulePath(slug: string, appKey: string, moduleKey: string): string {
  return `${PAGE_MODULES_PATH}/${[slug, 'apps', appKey, moduleKey].map(encodeURIComponent).join('/')}`
}

const WHAT_INSTALLED_APPS_ARE = 'Installed apps live inside a workspace: an owner installs one, Gatehouse and the app then trust each other through a shared secret, and the app adds its pages here.'

// ---------------------------------------------------------------- the person's workspaces

export function workspaceListPage(input: { memberships: MembershipRow[]; isAdmin: boolean }): SettingsPage {
  const { memberships } = input
  const adminNote = input.isAdmin ? html`<p class="muted">As an administrator you can manage the apps of any workspace, from <a href="/settings/admin/workspaces">Admin → Workspaces</a>.</p>` : ''
  const body = memberships.length === 0
    ? html`<div class="panel empty">
<h2>You belong to no workspace yet</h2>
<p>A workspace's owner, or an administrator, adds people to it. Then its apps are listed here.</p>
</div>${adminNote}`
    : html`<div class="table-wrap console">
<table>
<caption class="visually-hidden">Your workspaces</caption>
<thead><tr><th scope="col">Workspace</th><th scope="col">Your role</th><th scope="col" class="numeric">Apps</th><th scope="col"><span class="visually-hidden">Links</span></th></tr></thead>
<tbody>
${memberships.map((w) => html`<tr>
<th scope="row" class="cell-name">${w.name}${w.name !== w.slug ? html`<span class="cell-detail"><code>${w.slug}</code></span>` : ''}</th>
<td>${w.role === 'owner' ? html`<span class="badge admin">Owner</span>` : html`<span class="muted">Member</span>`}</td>
<td class="numeric">${w.apps}</td>
<td><a href="${workspaceAppsPath(w.slug)}">Apps<span class="visually-hidden"> of ${w.name}</span></a></td>
</tr>
`)}</tbody>
</table>
</div>
${adminNote}`
  return { title: 'Your workspaces', lead: 'The workspaces you belong to, and your role in each. Owners install and manage apps; members use them.', body }
}

// ---------------------------------------------------------------- a workspace's apps

export interface WorkspaceAppsInput {
  view: WorkspaceView
  installed: { installation: InstallationListing; app: InstalledApp }[]
  /** What the install form offers (owners and administrators only). */
  installable: InstalledApp[]
  owners: string[]
  catalogue: readonly ScopeDefinition[]
  csrf: string
  notice?: string
  /** A refused action, shown above everything. */
  error?: string
  /** The app chosen in a refused install form. */
  chosen?: string
}

export function workspaceAppsPage(input: WorkspaceAppsInput): SettingsPage {
  const { view } = input
  const role = view.role === 'owner' ? 'You are an owner' : view.role === 'member' ? 'You are a member' : 'You are an administrator, not a member'
  return {
    title: `Apps in ${view.workspace.name}`,
    lead: html`Workspace <code>${view.workspace.slug}</code>. ${role}. <a href="${WORKSPACES_PATH}">Your workspaces</a>`,
    body: html`${input.error ? errorNotice(input.error) : flash(input.notice)}
${installedSection(input)}
${view.canManage ? installSection(input) : readOnlyNote(input)}`,
  }
}

function installedSection(input: WorkspaceAppsInput): SafeHtml {
  const { installed, view } = input
  return html`<section class="console-section" aria-labelledby="installed-title">
<h2 id="installed-title">Installed apps <span class="count">${installed.length}</span></h2>
${installed.length === 0
  ? html`<div class="panel empty"><p>No apps are installed in this workspace.</p><p>${WHAT_INSTALLED_APPS_ARE}</p></div>`
  : html`<ul class="installation-list">
${installed.map(({ installation, app }) => {
  const id = `installation-${app.key}`
  return html`<li class="panel installation" aria-labelledby="${id}">
<div class="panel-header">
<h3 id="${id}">${app.descriptor.name}<span class="cell-detail">${app.descriptor.vendor ? `by ${app.descriptor.vendor.name}` : html`<code>${app.key}</code>`}</span></h3>
<div class="badges">${stateBadge(installation.state)}${view.canManage ? actionMenu(view.workspace.slug, installation, app, input.csrf) : ''}</div>
</div>
<dl class="facts">
<dt>Pages</dt><dd>${moduleLinks(view.workspace.slug, installation, app, view.role !== null)}</dd>
<dt>Installed</dt><dd>${timeOf(installation.createdAt)}${installation.installedByUsername ? ` by ${installation.installedByUsername}` : ''}</dd>
<dt>clientKey</dt><dd><code>${installation.clientKey}</code></dd>
</dl>
</li>
`
})}</ul>`}
</section>`
}

/** Links to the app's pages, for members; a disabled app shows none. */
function moduleLinks(slug: string, installation: InstallationListing, app: InstalledApp, member: boolean): SafeHtml {
  if (installation.state !== 'installed') return html`<span class="muted">None while it is disabled</span>`
  if (!member) return html`<span class="muted">Shown to members of the workspace</span>`
  return html`<ul class="bare module-links">${app.descriptor.modules.pages.map((page) => html`<li><a href="${pageModulePath(slug, app.key, page.key)}">${page.name}<span class="visually-hidden"> (${app.descriptor.name})</span></a></li>`)}</ul>`
}

const CONFIRM = {
  disable: (name: string) => `Disable ${name} in this workspace? Its tokens stop working at once and its pages are hidden until it is enabled.`,
  uninstall: (name: string) => `Uninstall ${name}? The app is told, and everything it holds in this workspace is revoked. Installing it again later keeps its clientKey.`,
  'rotate-secret': (name: string) => `Give ${name} a new shared secret? The app is sent the new one now; the current one keeps working for a day.`,
} as const

/** The row's actions: a no-JS menu of one-button forms; the dangerous ones ask first (form[data-confirm]). */
function actionMenu(slug: string, installation: InstallationListing, app: InstalledApp, csrf: string): SafeHtml {
  const name = app.descriptor.name
  const form = (action: 'disable' | 'enable' | 'uninstall' | 'rotate-secret', label: string, danger = false) => {
    const confirm = action === 'enable' ? undefined : CONFIRM[action](name)
    return html`<form method="post" action="${workspaceAppsPath(slug, app.key, action)}"${confirm ? html` data-confirm="${confirm}"` : ''}>
${csrfField(csrf)}<button type="submit"${danger ? html` class="danger-item"` : ''}>${label}</button>
</form>
`
  }
  return html`<details class="menu">
<summary>Actions<span class="visually-hidden"> for ${name}</span></summary>
<div class="menu-items">
${installation.state === 'installed' ? form('disable', 'Disable') : form('enable', 'Enable')}${form('rotate-secret', 'Rotate secret')}${form('uninstall', 'Uninstall', true)}</div>
</details>`
}

function installSection(input: WorkspaceAppsInput): SafeHtml {
  const { installable, view } = input
  const chosen = input.chosen ?? (installable.length === 1 ? installable[0].key : undefined)
  return html`<section class="panel install-app" aria-labelledby="install-title">
<h2 id="install-title">Install an app</h2>
${installable.length === 0
  ? html`<p class="muted">Every registered app is installed here already, or none is registered. Vendors register their apps under Developer → Installed apps.</p>`
  : html`<p class="muted">The app is asked first: it is installed only if it accepts. It can then use the permissions listed under it, in this workspace only.</p>
<form method="post" action="${workspaceAppsPath(view.workspace.slug, 'install')}" class="stack">
${csrfField(input.csrf)}
<fieldset class="app-choices">
<legend>Choose an app</legend>
${installable.map((app) => appChoice(app, app.key === chosen, input.catalogue))}</fieldset>
<div class="form-actions"><button type="submit" class="primary">Install app</button></div>
</form>`}
</section>`
}

function appChoice(app: InstalledApp, checked: boolean, catalogue: readonly ScopeDefinition[]): SafeHtml {
  const { descriptor } = app
  const id = `app-${app.key}`
  return html`<div class="app-choice">
<label class="checkbox"><input type="radio" name="app" value="${app.key}" id="${id}" aria-describedby="${id}-scopes"${checked ? html` checked` : ''} required><span><strong>${descriptor.name}</strong> <span class="muted">${descriptor.vendor ? `by ${descriptor.vendor.name}` : `(${app.key})`}</span>${descriptor.description ? html`<span class="hint">${descriptor.description}</span>` : ''}</span></label>
${scopeList(descriptor.scopes, catalogue, `${id}-scopes`)}
</div>
`
}

function readOnlyNote(input: WorkspaceAppsInput): SafeHtml {
  const owners = input.owners.length > 0 ? html` Ask ${input.owners.join(' or ')}.` : ''
  return html`<p class="muted">Only owners of this workspace install, disable and uninstall apps.${owners}</p>`
}

// ---------------------------------------------------------------- an app's page, inside the platform

/**
 * `sameOriginAsPlatform`: the app is served from the platform's own origin (the demo vendor); its
 * frame then runs as an opaque origin, or its scripts could reach into the platform's page.
 */
export function pageModulePage(input: { view: WorkspaceView; frame: PageModuleFrame; sameOriginAsPlatform: boolean; bridge: BridgeHost }): SettingsPage {
  const { view, frame } = input
  const sandbox = `allow-forms allow-scripts${input.sameOriginAsPlatform ? '' : ' allow-same-origin'} allow-popups allow-popups-to-escape-sandbox allow-downloads`
  const { descriptor } = frame.app
  const others = descriptor.modules.pages.filter((page) => page.key !== frame.module.key)
  return {
    title: frame.module.name,
    lead: html`${descriptor.name}${descriptor.vendor ? ` by ${descriptor.vendor.name}` : ''}, in ${view.workspace.name}. <a href="${workspaceAppsPath(view.workspace.slug)}">All apps of this workspace</a>`,
    body: html`${others.length > 0 ? html`<nav class="module-nav" aria-label="Other pages of ${descriptor.name}"><ul class="bare inline">${others.map((page) => html`<li><a href="${pageModulePath(view.workspace.slug, frame.app.key, page.key)}">${page.name}</a></li>`)}</ul></nav>` : ''}
${bridgeNotices()}
<div class="page-module" ${bridgeAttributes(input.bridge)}>
<iframe src="${frame.src}" title="${descriptor.name}: ${frame.module.name}" width="100%" height="720" sandbox="${sandbox}" referrerpolicy="no-referrer"></iframe>
</div>
<p class="muted">This page is served by ${descriptor.name} from <code>${frame.origin}</code>. The app is told who you are (your user id) and which workspace it is in; it calls Gatehouse as you only if you allow it.</p>
${bridgeDialog(input.bridge)}`,
  }
}
