import type { ScopeDefinition } from '../domain/scopes.js'
import { html, type SafeHtml } from '../web/index.js'
import { dateOf, decisionBadge, lastUsed, scopeNames } from './app-authorizations.markup.js'
import type { DecisionListing } from './decisions.service.js'

/** The admin console's list of apps, which links here from each app. */
export const ADMIN_APPS_PATH = '/settings/admin/apps'

export function adminDecisionsPath(clientId: string): string {
  return `${ADMIN_APPS_PATH}/${encodeURIComponent(clientId)}/decisions`
}

export interface AdminDecisionsInput {
  app: { clientId: string; name: string }
  allowed: number
  denied: number
  decisions: DecisionListing[]
  catalogue: readonly ScopeDefinition[]
  now: number
}

export function adminDecisionsPage(input: AdminDecisionsInput): { title: string; lead: SafeHtml; actions: SafeHtml; body: SafeHtml } {
  const { app } = input
  return {
    title: `Decisions for ${app.name}`,
    lead: html`<code>${app.clientId}</code> · Who allowed or denied this app to act on their behalf. Each person revokes their own decision on their App authorizations page.`,
    actions: html`<a class="button secondary small" href="${ADMIN_APPS_PATH}">All apps</a>`,
    body: html`<dl class="decision-counts">
<div class="panel"><dt>Allowed</dt><dd>${String(input.allowed)}</dd></div>
<div class="panel"><dt>Denied</dt><dd>${String(input.denied)}</dd></div>
</dl>
${input.decisions.length === 0
  ? html`<div class="panel empty"><p>Nobody has allowed or denied ${app.name} yet.</p></div>`
  : html`<div class="table-wrap console">
<table>
<caption class="visually-hidden">Decisions for ${app.name}</caption>
<thead><tr><th scope="col">User</th><th scope="col">Decision</th><th scope="col" class="hide-narrow">Workspaces</th><th scope="col" class="hide-narrow">Permissions</th><th scope="col" class="hide-narrow">Decided</th><th scope="col" class="hide-narrow">Last used</th></tr></thead>
<tbody>
${input.decisions.map((decision) => row(decision, input))}</tbody>
</table>
</div>`}`,
  }
}

function row(decision: DecisionListing, input: AdminDecisionsInput): SafeHtml {
  return html`<tr>
<th scope="row" class="cell-name">${decision.username}</th>
<td><span class="badges">${decisionBadge(decision.decision)}${decision.graceEndsAt !== null ? html`<span class="badge warn">Ends ${dateOf(decision.graceEndsAt)}</span>` : ''}</span></td>
<td class="hide-narrow">${workspace(decision)}</td>
<td class="hide-narrow decision-permissions">${scopeNames(decision.scopes, input.catalogue)}</td>
<td class="hide-narrow">${dateOf(decision.updatedAt)}</td>
<td class="hide-narrow">${decision.decision === 'allow' ? lastUsed(decision.lastUsedAt, input.now, 'Not yet') : html`<span class="muted">—</span>`}</td>
</tr>
`
}

function workspace(decision: DecisionListing): SafeHtml {
  if (decision.installation) return html`${decision.installation.workspaceSlug}`
  if (decision.decision !== 'allow') return html`<span class="muted">—</span>`
  if (decision.workspaces === null) return html`<span class="muted">All of theirs</span>`
  return html`${decision.workspaces.join(', ')}`
}
