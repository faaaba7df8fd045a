import type { AuthorizationParameters } from '../../domain/authorization-request.js'
import { isWriteLevelScope, type ScopeDefinition } from '../../domain/scopes.js'
import { csrfField } from '../csrf.js'
import { html, type SafeHtml } from '../html.js'
import { layout } from '../layout.js'
import type { SessionUser } from '../session.js'

/** What a person is told about the app before deciding: what the consent screens of GitHub, Google and Atlassian show. */
export interface ConsentApp {
  name: string
  /** "by …": its workspace's name or its owner's; undefined when it has neither. */
  publisher?: string
  description: string
  /** http(s) only (checked when the app was registered), so never a `javascript:` link. */
  homepageUrl: string | null
  verified: boolean
}

export interface ConsentPageInput {
  app: ConsentApp
  scopes: readonly ScopeDefinition[]
  user: SessionUser
  csrfToken: string
  /** Posted back unchanged, so the decision is checked against the same request. */
  parameters: AuthorizationParameters
  redirectUri: string
  /** Where the person can later review and revoke what they allow; undefined while no such page exists. */
  reviewAccessPath?: string
  /** The choice of workspaces, for a person in two or more; without it the app may reach all of theirs. */
  workspaces?: WorkspaceOffer
}

export interface WorkspaceOffer {
  options: readonly { slug: string; name: string }[]
  /** Only these slugs, or null for all. */
  selected: readonly string[] | null
  error?: string
}

export function consentPage({ app, scopes, user, csrfToken, parameters, redirectUri, reviewAccessPath, workspaces }: ConsentPageInput): string {
  const hidden = Object.entries(parameters).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`)
  const reads = scopes.filter((scope) => !isWriteLevelScope(scope.name))
  const writes = scopes.filter((scope) => isWriteLevelScope(scope.name))
  return layout(
    `Allow ${app.name}?`,
    html`<section class="card consent" aria-labelledby="title">
<p class="eyebrow">Authorization request</p>
<h1 id="title">Allow <span class="app-name">${app.name}</span> to access your account?</h1>
${appProfile(app)}
<p>You are signed in as <strong>${user.username}</strong>. <span class="app-name">${app.name}</span> asks to:</p>
${reads.length > 0 ? scopeList(reads, 'scopes') : ''}
${writes.length > 0 ? html`<h2 class="scope-group" id="write-scopes"><span class="badge warn">Can change data</span></h2>
<p class="hint">With these, <span class="app-name">${app.name}</span> can create, change or delete things as you.</p>
${scopeList(writes, 'scopes write-scopes', 'write-scopes')}` : ''}
<form method="post" action="/oauth/authorize/decision">
${csrfField(csrfToken)}
${hidden}${workspaces ? workspaceChoice(app.name, workspaces) : ''}
<p class="muted">Whichever you choose, you will be sent back to <strong class="host">${destination(redirectUri)}</strong>.${reviewAccessPath ? html` You can review and revoke access in <a href="${reviewAccessPath}">Settings → App authorizations</a>.` : ''}</p>
<div class="actions">
<button type="submit" name="decision" value="allow" class="primary">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</div>
</form>
</section>`,
    { username: user.username, csrfToken },
  )
}

/**
 * All (also workspaces joined later), or only the ticked ones. Works without script: the radio
 * decides, and the stylesheet shows the boxes only while "Only these" is chosen.
 */
function workspaceChoice(appName: string, offer: WorkspaceOffer): SafeHtml {
  const some = offer.selected !== null
  const ticked = new Set(offer.selected ?? [])
  return html`<fieldset class="workspace-choice"${offer.error ? html` aria-describedby="workspace-error"` : ''}>
<legend>Which workspaces may <span class="app-name">${appName}</span> reach?</legend>
${offer.error ? html`<p class="field-error" id="workspace-error" role="alert">${offer.error}</p>
` : ''}<label class="checkbox"><input type="radio" name="workspace_access" value="all"${some ? '' : html` checked`}> <span>All my workspaces (also ones I join later)</span></label>
<label class="checkbox"><input type="radio" name="workspace_access" value="some"${some ? html` checked` : ''}> <span>Only these:</span></label>
<ul class="workspace-options" aria-label="Only these workspaces">
${offer.options.map((w) => html`<li><label class="checkbox"><input type="checkbox" name="workspaces" value="${w.slug}"${ticked.has(w.slug) ? html` checked` : ''}> <span>${w.name} <code class="workspace-slug">${w.slug}</code></span></label></li>
`)}</ul>
</fieldset>`
}

function appProfile(app: ConsentApp): SafeHtml {
  const homepage = app.homepageUrl === null ? undefined : new URL(app.homepageUrl)
  const byline = [
    app.publisher === undefined ? undefined : html`by <strong class="app-publisher">${app.publisher}</strong>`,
    homepage === undefined ? undefined : html`<a class="app-homepage" href="${homepage.href}" rel="noopener noreferrer">${shortUrl(homepage)}</a>`,
  ].filter((part) => part !== undefined)
  return html`<div class="app-profile">
${byline.length > 0 ? html`<p class="app-byline">${byline.map((part, i) => (i === 0 ? part : html` · ${part}`))}</p>` : ''}
<p class="app-verification">${
    app.verified
      ? html`<span class="badge ok">Verified</span> <span class="hint">An administrator of this Gatehouse has verified this app</span>`
      : html`<span class="badge warn">Unverified</span> <span class="hint">An administrator of this Gatehouse has not verified this app</span>`
  }</p>
${app.description !== '' ? html`<p class="app-description">${app.description}</p>` : ''}
</div>`
}

function scopeList(scopes: readonly ScopeDefinition[], className: string, labelledBy?: string): SafeHtml {
  return html`<ul class="${className}"${labelledBy ? html` aria-labelledby="${labelledBy}"` : ''}>
${scopes.map((scope) => html`<li><span class="scope-description">${scope.description}</span> <code class="scope-name">${scope.name}</code></li>\n`)}</ul>`
}

/** A homepage as people read it: host and path, without the scheme or a bare trailing slash. */
function shortUrl(url: URL): string {
  const path = url.pathname === '/' ? '' : url.pathname
  return `${url.host}${path}${url.search}`
}

/** What a person can check: the host for web apps, the whole URI for native ones. */
function destination(redirectUri: string): string {
  const url = new URL(redirectUri)
  return url.host !== '' ? url.host : redirectUri
}
