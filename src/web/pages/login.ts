import { csrfField } from '../csrf.js'
import { html, type SafeHtml } from '../html.js'
import { layout, type HeaderAccount } from '../layout.js'

export interface LoginPageInput {
  csrfToken: string
  returnTo: string
  username?: string
  error?: string
  /** An app asked for a fresh sign-in although the browser is signed in. */
  again?: boolean
  /** The registered app the person signs in to continue to (looked up by the route, never taken from the URL). */
  appName?: string
  /** Who is signed in already (an app asked for a fresh sign-in, or the person came back here): the header says so. */
  account?: HeaderAccount
}

export function loginPage({ csrfToken, returnTo, username, error, again = false, appName, account }: LoginPageInput): string {
  return layout(
    'Sign in',
    html`<section class="card narrow" aria-labelledby="title">
<h1 id="title">${heading(again, appName)}</h1>
${appName !== undefined && !again && !error ? html`<p class="muted">After you sign in, Gatehouse shows what <span class="app-name">${appName}</span> asks for, and you decide.</p>` : ''}
${again && !error ? html`<p class="notice">The app you came from asks you to confirm who you are.</p>` : ''}
${error ? html`<p class="notice error" role="alert" id="login-error">${error}</p>` : ''}
<form method="post" action="/login" class="stack"${error ? html` aria-describedby="login-error"` : ''}>
${csrfField(csrfToken)}
<input type="hidden" name="return_to" value="${returnTo}">
<div class="field">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="100" value="${username ?? ''}"${username ? '' : html` autofocus`}>
</div>
<div class="field">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${username ? html` autofocus` : ''}>
</div>
<button type="submit" class="primary">Sign in</button>
</form>
</section>`,
    account,
  )
}

function heading(again: boolean, appName: string | undefined): SafeHtml {
  if (appName === undefined) return html`${again ? 'Sign in again to continue' : 'Sign in to Gatehouse'}`
  return html`${again ? 'Sign in again to continue to' : 'Sign in to continue to'} <span class="app-name">${appName}</span>`
}
