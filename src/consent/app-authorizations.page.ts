import type { ScopeDefinition } from '../domain/scopes.js'
import { APP_AUTHORIZATIONS_PATH } from '../oauth/consent-policy.js'
import { csrfField, flash, html, type SafeHtml } from '../web/index.js'
import { dateOf, decisionBadge, lastUsed, scopeList } from './app-authorizations.markup.js'
import type { DecisionListing } from './decisions.service.js'

export { APP_AUTHORIZATIONS_PATH }

export function revokePath(decisionId: string): string {
  return `${APP_AUTHORIZATIONS_PATH}/${encodeURIComponent(decisionId)}/revoke`
}

/** What was just done, for the notice: the app by name when it still exists. */
export interface DoneNotice {
  ended: 'approval' | 'denial'
  appName: string | undefined
}

export interface AppAuthorizationsInput {
  decisions: DecisionListing[]
  catalogue: readonly ScopeDefinition[]
  /** The user's workspaces, slug → name, to name the ones an approval chose. */
  workspaceNames: ReadonlyMap<string, string>
  now: number
  csrfToken: string
  done?: DoneNotice
}

const KIND = { oauth: 'OAuth app', installed: 'Installed app' } as const

export function appAuthorizationsPage(input: AppAuthorizationsInput): { title: string; lead: string; body: SafeHtml } {
  const approvals = input.decisions.filter((d) => d.decision === 'allow')
  const denials = input.decisions.filter((d) => d.decision === 'deny')
  return {
    title: 'App authorizations',
    lead: 'The apps you allowed, or refused, to act on your behalf. Revoke an approval and the app loses its access at once; remove a denial and the app may ask you again.',
    body: html`${doneNotice(input.done)}
${input.decisions.length === 0
  ? html`<div class="panel empty" role="status">
<p><strong>You have not allowed or denied any app yet.</strong></p>
<p class="muted">When an app asks to act on your behalf — from its own site through Gatehouse's authorization page, or from inside a workspace where it is installed — and you press Allow or Deny, your decision is remembered and listed here, so the app does not ask again. You can revoke it here at any time.</p>
</div>`
  : html`${section('approvals', 'Allowed', approvals, input)}${section('denials', 'Denied', denials, input)}`}`,
  }
}

function section(id: string, heading: string, decisions: DecisionListing[], input: AppAuthorizationsInput): SafeHtml {
  if (decisions.length === 0) return html``
  return html`<section class="console-section" aria-labelledby="${id}-heading">
<h2 id="${id}-heading">${heading} <span class="count">${String(decisions.length)}</span></h2>
<ul class="decision-list">
${decisions.map((decision) => decisionItem(decision, input))}</ul>
</section>
`
}

function decisionItem(decision: DecisionListing, input: AppAuthorizationsInput): SafeHtml {
  const nameId = `decision-${decision.id}`
  const allowed = decision.decision === 'allow'
  const app = decision.app
  return html`<li class="panel decision" aria-labelledby="${nameId}">
<div class="decision-head">
<div class="decision-title">
<h3 id="${nameId}">${app.name}</h3>
<p class="app-byline">${app.vendorName ? html`by <strong>${app.vendorName}</strong> · ` : ''}${KIND[app.kind]}</p>
</div>
${decisionBadge(decision.decision)}
</div>
${allowed && decision.graceEndsAt !== null
  ? html`<p class="notice warn decision-grace">${app.name} asks for new permissions; your approval ends on ${dateOf(decision.graceEndsAt)}. Until then it keeps only the permissions below; approve the new ones the next time you use it to keep it working.</p>`
  : ''}
<p class="decision-scopes-label" id="${nameId}-scopes">${allowed ? 'It may:' : 'It asked to:'}</p>
${scopeList(decision.scopes, input.catalogue, `${nameId}-scopes`)}
<dl class="facts decision-facts">
${where(decision, input)}<dt>${allowed ? 'Allowed' : 'Denied'}</dt><dd>${dateOf(decision.updatedAt)}</dd>
${allowed ? html`<dt>Last used</dt><dd>${lastUsed(decision.lastUsedAt, input.now, 'Not since you allowed it')}</dd>\n` : ''}</dl>
<form method="post" action="${revokePath(decision.id)}" class="decision-action"${allowed ? html` data-confirm="${`Revoke ${app.name}'s access? It stops working for you at once, and asks again the next time it needs access.`}"` : ''}>
${csrfField(input.csrfToken)}
<button type="submit" class="${allowed ? 'danger-button' : 'secondary'} small" aria-describedby="${nameId}">${allowed ? 'Revoke' : 'Remove denial'}</button>
</form>
</li>
`
}

/** The workspace of a classic add-on's decision, or the workspaces an approval reaches. */
function where(decision: DecisionListing, input: AppAuthorizationsInput): SafeHtml {
  if (decision.installation) {
    return html`<dt>Workspace</dt><dd>${decision.installation.workspaceName} <span class="muted">(${decision.installation.workspaceSlug})</span></dd>\n`
  }
  if (decision.decision !== 'allow') return html``
  if (decision.workspaces === null) {
    return html`<dt>Workspaces</dt><dd>${decision.app.kind === 'installed' ? 'Every workspace of yours where it is installed' : 'All your workspaces'}</dd>\n`
  }
  if (decision.workspaces.length === 0) return html`<dt>Workspaces</dt><dd>None: only your own account</dd>\n`
  return html`<dt>Workspaces</dt><dd><ul class="bare inline">${decision.workspaces.map((slug) => {
    const name = input.workspaceNames.get(slug)
    return html`<li>${name ?? slug}${name !== undefined && name !== slug ? html` <span class="muted">(${slug})</span>` : ''}</li>`
  })}</ul></dd>\n`
}

function doneNotice(done: DoneNotice | undefined): SafeHtml {
  if (!done) return html``
  const app = done.appName ?? 'The app'
  return done.ended === 'approval'
    ? flash(`${app} no longer has your approval, and the tokens it held stopped working. It will ask you again the next time it needs access.`)
    : flash(`Your denial of ${done.appName ?? 'the app'} is removed. It may ask you again the next time it needs access.`)
}
