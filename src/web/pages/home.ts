import { html, type SafeHtml } from '../html.js'
import { layout, type HeaderAccount } from '../layout.js'
import type { SessionUser } from '../session.js'
import type { SettingsGroup, SettingsSection } from '../settings-shell.js'

export interface SignedInHome {
  user: SessionUser
  account: HeaderAccount
  /** The settings area as this user sees it, group by group. */
  settings: { group: SettingsGroup; sections: SettingsSection[] }[]
  /** Where the OAuth playground is served, when this deployment serves it. */
  playgroundPath?: string
}

const GROUP_PURPOSE: Record<SettingsGroup, string> = {
  Account: 'Your profile, your password and where you are signed in.',
  Workspaces: 'The workspaces you belong to, and the apps installed in them.',
  Developer: 'Apps you build on the platform, and their keys.',
  Admin: 'The people, apps and workspaces of this Gatehouse.',
}

/** Public pages a group's people look for beside its settings (served by `src/scopes/`). */
const EXTRA_LINKS: Partial<Record<SettingsGroup, { label: string; path: string }[]>> = {
  Developer: [{ label: 'Scope reference', path: '/docs/scopes' }],
}

/** `signedOut.playgroundPath`: where the OAuth playground is served, when this deployment serves it. */
export function homePage(signedIn: SignedInHome | undefined, signedOut: { playgroundPath?: string } = {}): string {
  if (!signedIn) {
    return layout(
      'Home',
      html`<section class="card narrow" aria-labelledby="title">
<h1 id="title">Gatehouse</h1>
<p>Gatehouse lets you give apps access to your account on the platform, without sharing your password.</p>
<p><a class="button primary" href="/login">Sign in</a></p>
${signedOut.playgroundPath ? html`<p class="muted">New to OAuth? <a href="${signedOut.playgroundPath}">Try the playground</a>: the authorization-code flow with PKCE, step by step.</p>` : ''}
</section>`,
    )
  }
  const { user, account, settings, playgroundPath } = signedIn
  return layout(
    'Home',
    html`<section class="home" aria-labelledby="title">
<h1 id="title">Hello, ${user.displayName}</h1>
<p class="lead">Signed in as <strong>${user.username}</strong>. Apps you allow can use the platform on your behalf, only within the access you approved.</p>
<div class="home-grid">
${settings.map(({ group, sections }) => homePanel(group, GROUP_PURPOSE[group], [...sections.map((s) => ({ label: s.label, path: s.path })), ...(EXTRA_LINKS[group] ?? [])]))}
${playgroundPath ? homePanel('Playground', 'Try the authorization-code flow with PKCE, step by step, in the browser.', [{ label: 'Open the playground', path: playgroundPath }]) : ''}
</div>
</section>`,
    account,
    { wide: true },
  )
}

function homePanel(title: string, purpose: string, links: { label: string; path: string }[]): SafeHtml {
  const id = `home-${title.toLowerCase()}`
  return html`<section class="panel home-panel" aria-labelledby="${id}">
<h2 id="${id}">${title}</h2>
<p class="muted">${purpose}</p>
<ul class="home-links">
${links.map((link) => html`<li><a href="${link.path}">${link.label}</a></li>\n`)}</ul>
</section>
`
}
