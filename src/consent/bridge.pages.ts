import { html, type SafeHtml } from '../web/index.js'

/**
 * The host page's parts of the request bridge (the page that shows an installed app's page module):
 * the attributes that tell its script which installation and frame it serves, the regions it writes
 * to, and the consent dialog. The script (`/assets/gatehouse-bridge.js`) fills in the scopes the
 * app asks for; everything else is known when the page is made.
 */

/** Account → App authorizations, where a decision is changed: the link after Allow or Deny. */
export const APP_AUTHORIZATIONS_PATH = '/account/app-authorizations'

export interface BridgeHost {
  workspace: { slug: string; name: string }
  app: { key: string; name: string; vendor: string | null; perInstallation: boolean }
  /** The app's origin (its baseUrl's): replies go there, and only its messages are read. */
  appOrigin: string
  /** Where proxyRequest sends requests: under this URL only. */
  appBaseUrl: string
  /** The frame is sandboxed to an opaque origin (an app on the platform's own origin): its messages read origin "null". */
  opaque: boolean
  username: string
  csrf: string
  /** GATEHOUSE_CONSENT_TIMEOUT */
  timeoutSeconds: number
}

/** On the element holding the iframe. */
export function bridgeAttributes(host: BridgeHost): SafeHtml {
  return html`data-bridge-app="${host.app.key}" data-bridge-app-name="${host.app.name}" data-bridge-workspace="${host.workspace.slug}" data-bridge-app-origin="${host.appOrigin}" data-bridge-app-base-url="${host.appBaseUrl}" data-bridge-opaque="${String(host.opaque)}" data-bridge-csrf="${host.csrf}" data-bridge-timeout="${String(host.timeoutSeconds)}" data-bridge-manage="${APP_AUTHORIZATIONS_PATH}"`
}

/** Above the frame: what the user decided (a live region, present from the start so it is announced), and the app's own messages. */
export function bridgeNotices(): SafeHtml {
  return html`<link rel="stylesheet" href="/assets/gatehouse-bridge.css">
<div id="bridge-status" class="bridge-status" role="status"></div>
<div id="bridge-messages" class="bridge-messages" aria-live="polite"></div>`
}

/** After the frame: the dialog, and the script that runs the bridge. */
export function bridgeDialog(host: BridgeHost): SafeHtml {
  const { app, workspace } = host
  const remembered = app.perInstallation
    ? html`Gatehouse remembers your answer for ${app.name} in ${workspace.name} only.`
    : html`Gatehouse remembers your answer for ${app.name} in every workspace where it is installed.`
  return html`<dialog id="bridge-consent" class="bridge-consent" aria-labelledby="bridge-consent-title" aria-describedby="bridge-consent-asks">
<div class="bridge-consent-body">
<p class="eyebrow">Access request</p>
<h2 id="bridge-consent-title" tabindex="-1" data-bridge-focus>Allow <span class="app-name">${app.name}</span> to use Gatehouse as you?</h2>
<dl class="bridge-consent-facts">
<dt>App</dt><dd>${app.name}${app.vendor ? html` <span class="muted">by ${app.vendor}</span>` : ''}</dd>
<dt>Workspace</dt><dd>${workspace.name} <span class="muted">(${workspace.slug})</span></dd>
<dt>You</dt><dd>${host.username}</dd>
</dl>
<p id="bridge-consent-asks">${app.name}, shown on this page, asks to call Gatehouse's API as you. It could then:</p>
<ul class="scopes" data-bridge-scopes></ul>
<p class="muted">${remembered} You can change it at any time in <a href="${APP_AUTHORIZATIONS_PATH}">App authorizations</a>. Without an answer within ${duration(host.timeoutSeconds)}, the request fails and nothing is remembered.</p>
</div>
<div class="bridge-consent-footer">
<p class="notice error" role="alert" data-bridge-error hidden></p>
<div class="actions">
<button type="button" class="primary" data-decision="allow">Allow</button>
<button type="button" class="secondary" data-decision="deny">Deny</button>
</div>
</div>
</dialog>
<script src="/assets/gatehouse-bridge.js" defer></script>`
}

function duration(seconds: number): string {
  if (seconds % 60 === 0) return seconds === 60 ? 'a minute' : `${seconds / 60} minutes`
  return seconds === 1 ? 'a second' : `${seconds} seconds`
}
