import { flash, html, type SafeHtml } from '../../web/index.js'
import type { AppAction, ListQuery } from '../admin.schemas.js'
import type { ConsoleApp } from '../console.queries.js'
import { actionMenu, countOf, dateOf, emptyList, nothing, pagination, searchForm, statusBadge, verification, type ConsolePage, type MenuItem } from './components.js'
import { workspacePath } from './workspaces.js'

export const APPS_PATH = '/settings/admin/apps'

const DONE: Record<AppAction, (name: string) => string> = {
  disable: (name) => `${name} is disabled: it can no longer authenticate, and every grant and token it held is revoked.`,
  enable: (name) => `${name} is enabled again. Tokens revoked while it was disabled stay revoked.`,
  delete: (name) => `${name} is deleted, with its secrets, grants and tokens.`,
  verify: (name) => `${name} is verified: its consent page says so.`,
  unverify: (name) => `${name} is no longer verified.`,
}

const CREATED_VIA: Record<string, string> = { cli: 'CLI', dynamic: 'Dynamic registration', seed: 'Demo seed', console: 'Console' }

export interface AppListInput {
  query: ListQuery<AppAction>
  rows: ConsoleApp[]
  total: number
  csrfToken: string
  error?: string
}

export function appListPage(input: AppListInput): ConsolePage {
  const { query, rows, total } = input
  const state = { q: query.q, page: query.page }
  const notice = input.error ? flash(input.error, 'error') : query.done && query.name ? flash(DONE[query.done](query.name)) : html``
  return {
    title: 'Apps',
    lead: 'Every OAuth app on this Gatehouse, whoever registered it. Verified apps are marked as such on their consent page.',
    body: html`${notice}
${searchForm({ path: APPS_PATH, q: query.q, label: 'Search apps', placeholder: 'App name or client ID' })}
${rows.length === 0
  ? emptyList({ path: APPS_PATH, state, total, noun: 'app', none: 'No apps are registered yet.' })
  : html`<div class="table-wrap console">
<table>
<caption class="visually-hidden">Apps${query.q ? ` matching “${query.q}”` : ''}, ${countOf(total, 'app')}</caption>
<thead><tr><th scope="col">App</th><th scope="col" class="hide-narrow">Owner</th><th scope="col" class="hide-narrow">Workspace</th><th scope="col" class="hide-narrow">Type</th><th scope="col" class="hide-narrow">Created</th><th scope="col">Status</th><th scope="col" class="actions-cell"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>
${rows.map((app) => appRow(app, input))}</tbody>
</table>
</div>`}
${pagination({ path: APPS_PATH, state, total, noun: 'app' })}`,
  }
}

function appRow(app: ConsoleApp, input: AppListInput): SafeHtml {
  return html`<tr>
<th scope="row" class="cell-name"><a href="${decisionsPath(app.clientId)}" title="Who allowed or denied ${app.name}">${app.name}</a><span class="cell-detail"><code>${app.clientId}</code></span></th>
<td class="hide-narrow">${app.ownerUsername ?? nothing('No owner')}</td>
<td class="hide-narrow">${app.workspaceSlug ? html`<a href="${workspacePath(app.workspaceSlug)}">${app.workspaceSlug}</a>` : nothing('No workspace')}</td>
<td class="hide-narrow">${app.isPublic ? 'Public' : 'Confidential'}${app.isResourceServer ? html`<span class="cell-detail">Resource server</span>` : ''}</td>
<td class="hide-narrow">${dateOf(app.createdAt)}<span class="cell-detail">via ${CREATED_VIA[app.createdVia] ?? app.createdVia}</span></td>
<td><span class="badges">${statusBadge(app.disabledAt)}${verification(app.verifiedAt)}</span></td>
<td class="actions-cell">${actionMenu({ subject: app.name, csrfToken: input.csrfToken, state: { q: input.query.q, page: input.query.page }, items: appActions(app) })}</td>
</tr>
`
}

/** The app's consent decisions: who allowed or denied it (served by consent/admin-decisions.routes.ts). */
function decisionsPath(clientId: string): string {
  return `${APPS_PATH}/${encodeURIComponent(clientId)}/decisions`
}

function appActions(app: ConsoleApp): MenuItem[] {
  const at = (action: AppAction) => `${APPS_PATH}/${encodeURIComponent(app.clientId)}/${action}`
  return [
    app.verifiedAt === null
      ? { action: at('verify'), label: 'Verify' }
      : { action: at('unverify'), label: 'Remove verification' },
    app.disabledAt === null
      ? { action: at('disable'), label: 'Disable', confirm: `Disable ${app.name}? It can no longer authenticate, and every grant and token it holds is revoked.` }
      : { action: at('enable'), label: 'Enable' },
    { action: at('delete'), label: 'Delete', danger: true, confirm: `Delete ${app.name}, with its secrets, grants and tokens? This cannot be undone.` },
  ]
}
