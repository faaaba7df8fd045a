import type { ScopeDefinition } from '../domain/scopes.js'
import { csrfField, html, layout, type HeaderAccount, type SafeHtml } from '../web/index.js'
import type { Exchange } from './exchange.js'
import { PLAYGROUND_CLIENT_ID, playgroundCallback, type PlaygroundClient } from './playground-client.js'
import { API_PATH } from './playground.service.js'
import type { Walk } from './walks.js'

export interface PlaygroundPageInput {
  issuer: string
  client: PlaygroundClient
  offered: readonly ScopeDefinition[]
  walk: Walk | undefined
  /** The walk's tokens are another account's (`walkSeenBy`): steps 4–8 say so instead. */
  tokensHidden?: boolean
  /** Signed in: the forms of steps 4–8 (they carry the session's CSRF token). */
  account: HeaderAccount | undefined
  /** Something that went wrong, shown at the top. */
  notice?: string
  /** Step 1's form sent back with a problem: what was chosen, and what is wrong. */
  scopeForm?: { chosen: readonly string[]; error: string }
}

/** The scopes step 1 ticks until the person chooses: reading their account and repositories. */
const DEFAULT_SCOPES = ['read:user', 'read:repository']

export function playgroundPage(input: PlaygroundPageInput): string {
  const { walk, client } = input
  return layout(
    'OAuth playground',
    html`<div class="playground">
<div class="page-header">
<div>
<h1 id="title">OAuth playground</h1>
<p class="lead">Walk through the authorization-code flow with PKCE, as an app does it, against this Gatehouse. Every step makes a real request and shows it, with the answer.</p>
</div>
</div>
${input.notice ? html`<p class="notice error" role="alert">${input.notice}</p>` : ''}
${client.ok ? '' : html`<p class="notice error" role="alert">${client.problem}</p>`}
<p class="muted">The app here is the playground itself: <code>${PLAYGROUND_CLIENT_ID}</code>, a public app with no secret (it proves itself with PKCE instead), returning to <code>${playgroundCallback(input.issuer)}</code>. What it holds (the code_verifier, your tokens) stays in this server's memory for an hour, never in the page's links.</p>
${stepOne(input)}
${step(2, 'Sign in and allow', walk?.callback !== undefined, html`<p>The link opens Gatehouse's real authorization page. It asks you to sign in if you are not, then shows what the playground asks for. Allow, or Deny, sends your browser back to the playground's callback.</p>
${walk && !walk.callback && client.ok ? html`<p><a class="button primary" href="${walk.authorizationUrl}">Sign in and allow</a></p>` : ''}
${!walk ? waiting('Build the authorization URL in step 1 first.') : ''}`)}
${stepThree(input)}
${requestStep(input, 4, 'Exchange the code for tokens', 'token', html`<p>The playground's server sends the code, with the <code>code_verifier</code> from step 1, to the token endpoint. Gatehouse checks that the verifier's SHA-256 is the challenge sent in step 1, so a code stolen on its way back is useless to anyone else. A code works once, for a minute.</p>`,
  walk?.callback?.code !== undefined && walk.exchanges.token?.response?.status !== 200 ? actionForm(input, '/playground/token', [['Exchange the code', undefined]]) : undefined,
  walk?.callback?.code === undefined ? 'Waiting for a code in step 3.' : undefined)}
${requestStep(input, 5, 'Call the API', 'api', html`<p><code>GET ${API_PATH}</code> with the access token as a bearer token. The gateway checks its signature, that it is not revoked, and that it holds the scope the operation needs (<code>read:user</code> here: without it the answer is 403).</p>`,
  walk?.accessToken ? actionForm(input, '/playground/api', [[`Call GET ${API_PATH}`, undefined]]) : undefined, tokensNeeded(walk))}
${requestStep(input, 6, 'Refresh the tokens', 'refresh', html`<p>An access token lasts an hour. The refresh token gets a new one, and is itself replaced: Gatehouse rotates refresh tokens, and a used one presented again revokes the whole grant.</p>`,
  walk?.refreshToken ? actionForm(input, '/playground/refresh', [['Refresh the tokens', undefined]]) : undefined, tokensNeeded(walk))}
${requestStep(input, 7, 'Introspect a token', 'introspect', html`<p>An app, or an API registered as a resource server, can ask whether a token is still good and what it allows (RFC 7662).</p>`,
  walk?.accessToken ? actionForm(input, '/playground/introspect', [['Introspect the access token', 'access_token'], ['Introspect the refresh token', 'refresh_token']]) : undefined, tokensNeeded(walk))}
${requestStep(input, 8, 'Revoke', 'revoke', html`<p>An app revokes its tokens when the person disconnects it (RFC 7009). Revoking the refresh token ends the grant: its access tokens stop working too. Call the API or introspect again to see.</p>`,
  walk?.accessToken ? actionForm(input, '/playground/revoke', [['Revoke the refresh token', 'refresh_token'], ['Revoke the access token', 'access_token']]) : undefined, tokensNeeded(walk))}
${walk ? html`<p class="muted"><a href="#start-over">Start over</a> with a new authorization request in step 1.</p>` : ''}
</div>`,
    input.account,
    { wide: true },
  )
}

function stepOne({ offered, walk, scopeForm, client }: PlaygroundPageInput): SafeHtml {
  const chosen = scopeForm?.chosen ?? walk?.scope ?? DEFAULT_SCOPES
  const form = html`<form method="get" action="/playground/start" class="stack">
<fieldset${scopeForm ? html` aria-describedby="scope-error"` : ''}>
<legend>Scopes to ask for</legend>
${scopeForm ? html`<p class="field-error" id="scope-error">${scopeForm.error}</p>` : ''}
${offered.map((scope) => html`<label class="checkbox"><input type="checkbox" name="scope" value="${scope.name}"${chosen.includes(scope.name) ? html` checked` : ''}><span><code>${scope.name}</code> <span class="hint">${scope.description}</span></span></label>\n`)}
</fieldset>
<div class="form-actions"><button type="submit" class="${walk ? 'secondary' : 'primary'}"${client.ok ? '' : html` disabled`}>${walk ? 'Build a new authorization URL' : 'Build the authorization URL'}</button></div>
</form>`
  return step(1, 'Build the authorization URL', walk !== undefined, html`<p>The app sends the browser to Gatehouse with what it wants. With it go a fresh <code>state</code>, to recognise the answer, and a PKCE <code>code_challenge</code>: the SHA-256 of a random <code>code_verifier</code> the app keeps to itself until step 4.</p>
${walk && !scopeForm ? '' : form}
${walk ? html`<dl class="facts">
<dt>state</dt><dd><code>${walk.state}</code></dd>
<dt>code_verifier</dt><dd><code>${walk.codeVerifier}</code> <span class="hint">kept by the playground until step 4</span></dd>
<dt>code_challenge</dt><dd><code>${walk.codeChallenge}</code> <span class="hint">BASE64URL(SHA-256(code_verifier)), sent now</span></dd>
<dt>code_challenge_method</dt><dd><code>S256</code></dd>
</dl>
<h3>The authorization URL</h3>
<pre class="http"><code>${readableUrl(walk.authorizationUrl)}</code></pre>
${scopeForm ? '' : html`<details class="start-over" id="start-over">
<summary>Start over with a new authorization request</summary>
${form}
</details>`}` : ''}`)
}

function stepThree({ walk, issuer }: PlaygroundPageInput): SafeHtml {
  const callback = walk?.callback
  if (!callback) return step(3, 'The code comes back', false, html`<p>Gatehouse sends the browser back to the callback with a one-time <code>code</code>, the <code>state</code> from step 1 and its own name as <code>iss</code>.</p>${waiting('Waiting for you to allow in step 2.')}`)
  const query = callback.query.map(([name, value], i) => `${i === 0 ? '?' : '&'}${name}=${value}`).join('')
  return step(3, 'The code comes back', true, html`<p>What your browser brought back to the playground (the code partly hidden):</p>
<pre class="http"><code>GET /playground/callback${query} HTTP/1.1
Host: ${new URL(issuer).host}</code></pre>
<ul class="checks">
<li><span class="badge ok">OK</span> <code>state</code> is the one sent in step 1: this answer belongs to this browser's request</li>
<li>${callback.issMatches ? html`<span class="badge ok">OK</span>` : html`<span class="badge danger">Differs</span>`} <code>iss</code> ${callback.issMatches ? 'is' : 'is not'} this Gatehouse (RFC 9207)</li>
</ul>
${callback.error ? html`<p class="notice warn">No code: <code>${callback.error}</code>${callback.errorDescription ? html` (${callback.errorDescription})` : ''}. Build a new authorization URL in step 1 to try again.</p>` : ''}`)
}

const signInToGoOn = html`<p class="muted">You are signed out. <a href="/login?return_to=%2Fplayground">Sign in</a> to go on.</p>`

function requestStep(
  input: PlaygroundPageInput,
  number: number,
  title: string,
  key: keyof Walk['exchanges'],
  explanation: SafeHtml,
  action: SafeHtml | undefined,
  notYet: string | undefined,
): SafeHtml {
  if (input.tokensHidden) {
    const signIn = input.account ? html`Sign in as that account` : html`<a href="/login?return_to=%2Fplayground">Sign in</a> as that account`
    return step(number, title, false, html`${explanation}
<p class="muted">This walk-through's code and tokens belong to the account that allowed. ${signIn} to go on, or start over in step 1.</p>`)
  }
  const exchange = input.walk?.exchanges[key]
  return step(number, title, exchange !== undefined, html`${explanation}
${action ?? (notYet && !exchange ? waiting(notYet) : '')}
${exchange ? exchangeView(exchange) : ''}`)
}

function step(number: number, title: string, done: boolean, body: SafeHtml): SafeHtml {
  return html`<section class="panel playground-step" id="step-${number}" aria-labelledby="step-${number}-title">
<p class="eyebrow">Step ${number}${done ? html` <span class="badge ok">Done</span>` : ''}</p>
<h2 id="step-${number}-title">${title}</h2>
${body}
</section>`
}

/** The step's buttons; signed out, a link to sign in instead (the forms carry the session's CSRF token). */
function actionForm({ account }: PlaygroundPageInput, action: string, buttons: [label: string, token: string | undefined][]): SafeHtml {
  if (!account) return signInToGoOn
  return html`<form method="post" action="${action}" class="form-actions">
${csrfField(account.csrfToken)}
${buttons.map(([label, token], i) => html`<button type="submit" class="${i === 0 ? 'primary' : 'secondary'}"${token ? html` name="token" value="${token}"` : ''}>${label}</button>\n`)}</form>`
}

function exchangeView({ request, response, failure }: Exchange): SafeHtml {
  const target = new URL(request.url)
  const requestText = [`${request.method} ${target.pathname}${target.search} HTTP/1.1`, ...request.headers.map(([n, v]) => `${n}: ${v}`)].join('\n')
  return html`<div class="exchange">
<h3>Request</h3>
<pre class="http"><code>${requestText}${request.body !== undefined ? `\n\n${request.body}` : ''}</code></pre>
<h3>Response ${response ? html`<span class="badge ${response.status < 400 ? 'ok' : 'danger'}">${response.status}</span>` : ''}</h3>
${response
    ? html`<pre class="http"><code>${[`HTTP/1.1 ${response.status} ${response.statusText}`, ...response.headers.map(([n, v]) => `${n}: ${v}`)].join('\n')}${response.body !== '' ? `\n\n${response.body}` : ''}</code></pre>`
    : html`<p class="notice error">${failure ?? 'No answer'}</p>`}
</div>`
}

function waiting(text: string): SafeHtml {
  return html`<p class="muted">${text}</p>`
}

function tokensNeeded(walk: Walk | undefined): string | undefined {
  return walk?.accessToken ? undefined : 'Waiting for tokens from step 4.'
}

/** The URL one parameter a line, as people read it; join the lines to get it back. */
function readableUrl(url: string): string {
  const [base, query = ''] = url.split('?')
  return [base, ...query.split('&').map((pair, i) => `  ${i === 0 ? '?' : '&'}${pair}`)].join('\n')
}
