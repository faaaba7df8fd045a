import { html, type SafeHtml } from '../web/index.js'
import type { CallRecord, CallStep, VendorInstallation } from './installation-store.js'

/**
 * The demo vendor's own screens: plain HTML and its own stylesheet; forms post back to the vendor.
 * The reports page also loads the platform's connect/all.js and its own script, for the calls made
 * as the person through the platform (AP.request, AP.proxyRequest); everything else works without.
 */

/** Where a person reviews what they allowed and denied, on the platform. */
export const APP_AUTHORIZATIONS_PATH = '/account/app-authorizations'

export interface ReportsPage {
  basePath: string
  /** The platform's URL: connect/all.js comes from there, and the "Manage permissions" link goes there. */
  platformUrl: string
  /** AP.proxyRequest's path, relative to the app's baseUrl. */
  proxyPath: string
  installation: VendorInstallation
  userId: string
  /** The token the page's forms carry back (page-context.ts `formToken`). */
  formToken: string
  /** The call just made, shown first and open. */
  latest?: CallRecord
}

const METHODS: { value: CallRecord['method']; label: string; explains: string }[] = [
  {
    value: 'app-jwt',
    label: 'Call with an app JWT',
    explains: 'GET /2.0/workspaces with "Authorization: JWT …": HS256 under the shared secret, iss = clientKey, qsh of the request. Acts as the app account of this installation.',
  },
  {
    value: 'jwt-grant',
    label: 'Call with the JWT grant',
    explains: 'POST /oauth/token with an app JWT and grant_type=urn:bitbucket:oauth2:jwt, then GET the workspace\'s repositories with the access token it returns.',
  },
  {
    value: 'impersonation',
    label: 'Call as you (impersonation)',
    explains: 'POST /oauth/token with the jwt-bearer grant and an assertion naming this installation\'s oauthClientId and you, then GET /2.0/user with the token: it acts as you.',
  },
]

export function reportsPage(page: ReportsPage): string {
  const { installation } = page
  // The call just made is the newest stored one. A person sees only their own calls: an
  // impersonation's answer is about the person it acted as.
  const earlier = installation.calls.slice(page.latest ? 1 : 0).filter((call) => call.userId === page.userId)
  const scripts = html`<script src="${page.platformUrl}/connect/all.js"></script>
<script src="${page.basePath}/assets/reports.js" defer></script>`
  return document(page.basePath, 'Demo reports', scripts, html`
    <header>
      <h1>Demo reports</h1>
      <p>An installed app, served by Gatehouse's demo vendor and shown inside the platform. It verified the platform's lifecycle callbacks, keeps this installation in its own store, calls the API three ways from its server, and as you from this page, through the platform, once you allow it.</p>
    </header>
    <section aria-labelledby="installation">
      <h2 id="installation">This installation</h2>
      <dl>
        <dt>Workspace</dt>
        <dd>${installation.workspace ? html`${installation.workspace.name} (<code>${installation.workspace.slug}</code>)` : 'not known yet: calling with the app JWT finds it'}</dd>
        <dt>clientKey</dt>
        <dd><code>${installation.clientKey}</code></dd>
        <dt>oauthClientId</dt>
        <dd><code>${installation.oauthClientId}</code></dd>
        <dt>Installed</dt>
        <dd>${when(installation.installedAt)}${installation.updatedAt !== installation.installedAt ? html`, last changed ${when(installation.updatedAt)}` : ''}</dd>
        <dt>Lineage</dt>
        <dd>${installation.lineage.length === 0
          ? 'none: this workspace was never imported from another'
          : html`earlier clientKeys of this workspace, newest first: ${installation.lineage.map((key, i) => html`${i > 0 ? ', ' : ''}<code>${key}</code>`)}`}</dd>
        <dt>You</dt>
        <dd>user <code>${page.userId}</code></dd>
      </dl>
    </section>
    <section aria-labelledby="call">
      <h2 id="call">Call the API</h2>
      <form method="post" action="${page.basePath}/pages/reports/calls">
        <input type="hidden" name="token" value="${page.formToken}">
        <ul class="methods">
          ${METHODS.map((method) => html`<li><button type="submit" name="method" value="${method.value}">${method.label}</button><p>${method.explains}</p></li>`)}
        </ul>
      </form>
    </section>
    <section aria-labelledby="as-you">
      <h2 id="as-you">Call the API as you, from this page</h2>
      <p>With <code>AP.request</code> (Gatehouse's <code>connect/all.js</code>), this page asks the platform to call the API as you. The platform asks you first, once, and remembers your answer; this app never sees your token. <code>AP.proxyRequest</code> sends a request to this app's own server, with a token it uses to call the API as you.</p>
      <div id="bridge-calls" data-manage-url="${page.platformUrl}${APP_AUTHORIZATIONS_PATH}" data-proxy-path="${page.proxyPath}" hidden>
        <div class="bridge-buttons">
          <button type="button" id="who-am-i">Who am I? (AP.request)</button>
          <button type="button" id="via-server">Ask this app's server (AP.proxyRequest)</button>
        </div>
        <div id="bridge-result" class="bridge-result" role="status"></div>
      </div>
      <p id="bridge-needs-script" class="note">These calls need JavaScript; the three buttons above work without it.</p>
    </section>
    ${page.latest ? html`<section aria-labelledby="latest"><h2 id="latest">Result</h2>${callDetails(page.latest, true)}</section>` : ''}
    ${earlier.length > 0 ? html`<section aria-labelledby="earlier"><h2 id="earlier">Earlier calls</h2>${earlier.map((call) => callDetails(call, false))}</section>` : ''}
    <section aria-labelledby="events">
      <h2 id="events">Lifecycle callbacks received</h2>
      <ul>${installation.events.map((event) => html`<li>${when(event.at)}: <code>${event.event}</code>${event.note ? ` (${event.note})` : ''}</li>`)}</ul>
    </section>`)
}

export function errorPage(basePath: string, message: string): string {
  return document(basePath, 'Demo reports: cannot show this page', html``, html`
    <h1>This page cannot be shown</h1>
    <p role="alert">${message}</p>`)
}

function callDetails(call: CallRecord, open: boolean): SafeHtml {
  const label = METHODS.find((m) => m.value === call.method)?.label ?? call.method
  return html`<details ${open ? 'open' : ''}>
    <summary>${label}: ${call.ok ? 'succeeded' : 'failed'}, ${when(call.at)}</summary>
    ${call.steps.map(step)}
  </details>`
}

function step(s: CallStep): SafeHtml {
  return html`<h3>${s.title}</h3>
    <pre>${s.request}</pre>
    ${s.claims ? html`<p>Claims of the token sent:</p><pre>${JSON.stringify(s.claims, null, 2)}</pre>` : ''}
    <p>Answer: <strong>${s.status ?? 'none'}</strong></p>
    <pre>${s.response}</pre>`
}

function when(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')
}

function document(basePath: string, title: string, scripts: SafeHtml, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${basePath}/assets/vendor.css">
${scripts}
</head>
<body>
<main>${body}</main>
</body>
</html>
`.toString()
}

export const STYLESHEET = `
body { margin: 0; font: 15px/1.5 system-ui, sans-serif; color: #1d2733; background: #f6f8fa; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem 1.25rem 2rem; }
h1 { font-size: 1.5rem; margin: 0.5rem 0; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
h3 { font-size: 1rem; margin: 1rem 0 0.25rem; }
section { background: #fff; border: 1px solid #d5dbe1; border-radius: 6px; padding: 0.25rem 1rem 1rem; margin-top: 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0; }
dt { font-weight: 600; }
dd { margin: 0; overflow-wrap: anywhere; }
code, pre { font: 13px/1.4 ui-monospace, monospace; }
pre { background: #f0f3f6; padding: 0.5rem; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
ul.methods { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.75rem; }
ul.methods p { margin: 0.25rem 0 0; color: #4a5663; }
button { font: inherit; padding: 0.4rem 0.9rem; border: 1px solid #0b5cad; border-radius: 4px; background: #0b5cad; color: #fff; cursor: pointer; }
button:focus-visible { outline: 3px solid #7fb2e5; outline-offset: 2px; }
summary { cursor: pointer; font-weight: 600; }
.bridge-buttons { display: flex; flex-wrap: wrap; gap: 0.75rem; }
.bridge-result:not(:empty) { margin-top: 1rem; }
.bridge-result p { margin: 0.5rem 0; }
.bridge-result .failed { color: #a3261b; }
.access-problem { border: 1px solid #e3a39b; border-left: 4px solid #c0392b; border-radius: 4px; background: #fdf0ee; padding: 0.25rem 1rem; }
.access-problem h3 { margin-top: 0.5rem; color: #8a1c12; }
.access-problem .error-code { color: #4a5663; font-size: 0.875rem; }
.access-problem a { color: #0b5cad; }
.note { color: #4a5663; }
@media (max-width: 480px) { dl { grid-template-columns: 1fr; } }
`
