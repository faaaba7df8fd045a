import { ACT_AS_USER } from '../domain/descriptor.js'
import { isWriteLevelScope, type ScopeDefinition } from '../domain/scopes.js'
import { timeAgo, utcDate, utcDateTime } from '../domain/time-description.js'
import { html, type SafeHtml } from '../web/index.js'

// What the App authorizations page and the admin's decisions page show alike: scopes in plain
// language, the decision as a badge, instants people can read.

/** act_as_user is the descriptor's, not an API scope, so the API's catalogue has no words for it; these are the install form's. */
const ACT_AS_USER_DESCRIPTION = 'Act on behalf of members of this workspace'

export function scopeDescription(name: string, catalogue: readonly ScopeDefinition[]): string | undefined {
  return name === ACT_AS_USER ? ACT_AS_USER_DESCRIPTION : catalogue.find((scope) => scope.name === name)?.description
}

/** Each scope with what it allows, those that change data marked. */
export function scopeList(scopes: readonly string[], catalogue: readonly ScopeDefinition[], labelledBy: string): SafeHtml {
  if (scopes.length === 0) return html`<p class="muted">No permissions.</p>`
  return html`<ul class="scopes decision-scopes" aria-labelledby="${labelledBy}">
${scopes.map((name) => {
  const description = scopeDescription(name, catalogue)
  const changes = name === ACT_AS_USER || isWriteLevelScope(name)
  return html`<li><span>${description ?? html`<span class="muted">No longer defined by the API</span>`}</span><span class="permission-meta"><code>${name}</code>${changes ? html` <span class="badge warn">${name === ACT_AS_USER ? 'Impersonation' : 'Can change data'}</span>` : ''}</span></li>\n`
})}</ul>`
}

/** A short list of scope names with their descriptions as a tooltip, for a table cell. */
export function scopeNames(scopes: readonly string[], catalogue: readonly ScopeDefinition[]): SafeHtml {
  return html`<ul class="bare inline scope-names">${scopes.map((name) => html`<li><code title="${scopeDescription(name, catalogue) ?? ''}">${name}</code></li>`)}</ul>`
}

export function decisionBadge(decision: 'allow' | 'deny'): SafeHtml {
  return decision === 'allow' ? html`<span class="badge ok">Allowed</span>` : html`<span class="badge danger">Denied</span>`
}

/** "7 Dec 2026", the exact instant for machines and on hover. */
export function dateOf(at: number): SafeHtml {
  return html`<time datetime="${new Date(at).toISOString()}" title="${utcDateTime(at)}">${utcDate(at)}</time>`
}

/** "3 days ago", the date on hover; or what to say when it never was. */
export function lastUsed(at: number | null, now: number, never: string): SafeHtml {
  if (at === null) return html`<span class="muted">${never}</span>`
  const ago = timeAgo(at, now)
  return html`<time datetime="${new Date(at).toISOString()}" title="${utcDateTime(at)}">${ago[0].toUpperCase()}${ago.slice(1)}</time>`
}
