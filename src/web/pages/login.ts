import { csrfField } from '../csrf.js'
import { html } from '../html.js'
import { layout } from '../layout.js'

export interface LoginPageInput {
  csrfToken: string
  returnTo: string
  username?: string
  error?: string
  /** An app asked for a fresh sign-in although the browser is signed in. */
  again?: boolean
}

export function loginPage({ csrfToken, returnTo, username, error, again = false }: LoginPageInput): string {
  return layout(
    'Sign in',
    html`<section class="card narrow" aria-labelledby="title">
<h1 id="title">${again ? 'Sign in again to continue' : 'Sign in to Gatehouse'}</h1>
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
  )
}
