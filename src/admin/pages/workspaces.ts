import type { App } from '../../apps/app.js'
import { html, type SafeHtml } from '../../web/index.js'
import type { WorkspaceListRow, WorkspaceMemberRow } from '../console.queries.js'
import { countOf, dateOf, emptyList, listUrl, pagination, statusBadge, verification, type ConsolePage } from './components.js'
import { USERS_PATH } from './users.js'

export const WORKSPACES_PATH = '/settings/admin/workspaces'

export function workspacePath(slug: string): string {
  return `${WORKSPACES_PATH}/${encodeURIComponent(slug)}`
}

export function workspaceListPage(input: { rows: WorkspaceListRow[]; total: number; page: number | undefined }): ConsolePage {
  const { rows, total } = input
  const state = { page: input.page }
  return {
    title: 'Workspaces',
    lead: 'Every workspace, with its members and the apps that belong to it.',
    body: html`${rows.length === 0
  ? emptyList({ path: WORKSPACES_PATH, state, total, noun: 'workspace', none: 'There are no workspaces yet.' })
  : html`<div class="table-wrap console">
<table>
<caption class="visually-hidden">Workspaces, ${countOf(total, 'workspace')}</caption>
<thead><tr><th scope="col">Workspace</th><th scope="col" class="numeric">Members</th><th scope="col" class="numeric">Apps</th><th scope="col" class="hide-narrow">Created</th></tr></thead>
<tbody>
${rows.map((w) => html`<tr>
<th scope="row" class="cell-name"><a href="${workspacePath(w.slug)}">${w.slug}</a>${w.name !== w.slug ? html`<span class="cell-detail">${w.name}</span>` : ''}</th>
<td class="numeric">${w.members}</td>
<td class="numeric">${w.apps}</td>
<td class="hide-narrow">${dateOf(w.created_at)}</td>
</tr>
`)}</tbody>
</table>
</div>`}
${pagination({ path: WORKSPACES_PATH, state, total, noun: 'workspace' })}`,
  }
}

export interface WorkspaceSummary {
  slug: string
  name: string
  created_at: number
}

/**
 * One workspace: a header, then its sections in order (members, apps, and whatever else a
 * capability adds, each a `section.panel` with an `h2`).
 */
export function workspacePage(input: { workspace: WorkspaceSummary; sections: SafeHtml[] }): ConsolePage {
  const { workspace } = input
  return {
    title: workspace.name,
    lead: html`Workspace <code>${workspace.slug}</code>, created ${dateOf(workspace.created_at)}. <a href="${WORKSPACES_PATH}">All workspaces</a>`,
    // Installed apps are managed on the workspace's own page (installations/), which administrators may use for any workspace.
    actions: html`<a class="button secondary small" href="/settings/workspaces/${encodeURIComponent(workspace.slug)}/apps">Installed apps<span class="visually-hidden"> of this workspace</span></a>`,
    body: html`${input.sections}`,
  }
}

export function membersSection(input: { workspace: WorkspaceSummary; rows: WorkspaceMemberRow[]; total: number; page: number | undefined }): SafeHtml {
  const { rows, total } = input
  return html`<section class="console-section" aria-labelledby="members-title">
<h2 id="members-title">Members <span class="count">${total}</span></h2>
${rows.length === 0
  ? emptyList({ path: workspacePath(input.workspace.slug), state: { page: input.page }, total, noun: 'member', none: 'Nobody belongs to this workspace.' })
  : html`<div class="table-wrap console">
<table>
<thead><tr><th scope="col">Member</th><th scope="col">Role</th><th scope="col">Account</th><th scope="col" class="hide-narrow">Joined</th></tr></thead>
<tbody>
${rows.map((m) => html`<tr>
<th scope="row" class="cell-name"><a href="${listUrl(USERS_PATH, { q: m.username })}">${m.username}</a>${m.display_name !== m.username ? html`<span class="cell-detail">${m.display_name}</span>` : ''}</th>
<td>${m.role === 'owner' ? html`<span class="badge admin">Owner</span>` : html`<span class="muted">Member</span>`}</td>
<td>${statusBadge(m.disabled_at)}</td>
<td class="hide-narrow">${dateOf(m.joined_at)}</td>
</tr>
`)}</tbody>
</table>
</div>`}
${pagination({ path: workspacePath(input.workspace.slug), state: { page: input.page }, total, noun: 'member' })}
</section>`
}

export function appsSection(input: { apps: App[] }): SafeHtml {
  return html`<section class="console-section" aria-labelledby="apps-title">
<h2 id="apps-title">Apps <span class="count">${input.apps.length}</span></h2>
${input.apps.length === 0
  ? html`<div class="panel empty"><p>No apps belong to this workspace.</p></div>`
  : html`<div class="table-wrap console">
<table>
<thead><tr><th scope="col">App</th><th scope="col" class="hide-narrow">Type</th><th scope="col">Status</th></tr></thead>
<tbody>
${input.apps.map((app) => html`<tr>
<th scope="row" class="cell-name"><a href="${listUrl('/settings/admin/apps', { q: app.clientId })}">${app.name}</a><span class="cell-detail"><code>${app.clientId}</code></span></th>
<td class="hide-narrow">${app.isPublic ? 'Public' : 'Confidential'}</td>
<td><span class="badges">${statusBadge(app.disabledAt)}${verification(app.verifiedAt)}</span></td>
</tr>
`)}</tbody>
</table>
</div>`}
</section>`
}
