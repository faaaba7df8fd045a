import type { AuthorizationParameters } from '../../domain/authorization-request.js'
import type { ScopeDefinition } from '../../domain/scopes.js'
import { csrfField } from '../csrf.js'
import { html } from '../html.js'
import { layout } from '../layout.js'
import type { SessionUser } from '../session.js'

export interface ConsentPageInput {
  appName: string
  scopes: readonly ScopeDefinition[]
  user: SessionUser
  csrfToken: string
  /** Posted back unchanged, so the decision is checked against the same request. */
  parameters: AuthorizationParameters
  redirectUri: string
}

export function consentPage({ appName, scopes, user, csrfToken, parameters, redirectUri }: ConsentPageInput): string {
  const hidden = Object.entries(parameters).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">\n`)
  return layout(
    `Allow ${appName}?`,
    html`<section class="card" aria-labelledby="title">
<p class="eyebrow">Authorization request</p>
<h1 id="title">Allow <span class="app-name">${appName}</span> to access your account?</h1>
<p>You are signed in as <strong>${user.username}</strong>. <span class="app-name">${appName}</span> asks to:</p>
<ul class="scopes">
${scopes.map((scope) => html`<li><span class="scope-description">${scope.description}</span> <code class="scope-name">${scope.name}</code></li>\n`)}
</ul>
<p class="muted">Whichever you choose, you will be sent back to <strong class="host">${destination(redirectUri)}</strong>.</p>
<form method="post" action="/oauth/authorize/decision" class="actions">
${csrfField(csrfToken)}
${hidden}<button type="submit" name="decision" value="allow" class="primary">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>
</section>`,
    { username: user.username, csrfToken },
  )
}

/** What a person can check: the host for web apps, the whole URI for native ones. */
function destination(redirectUri: string): string {
  const url = new URL(redirectUri)
  return url.host !== '' ? url.host : redirectUri
}
