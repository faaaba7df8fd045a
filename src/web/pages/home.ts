import { csrfField } from '../csrf.js'
import { html } from '../html.js'
import { layout } from '../layout.js'
import type { SessionUser } from '../session.js'

export function homePage(user: SessionUser | undefined, csrfToken: string | undefined): string {
  if (!user || csrfToken === undefined) {
    return layout(
      'Home',
      html`<section class="card narrow" aria-labelledby="title">
<h1 id="title">Gatehouse</h1>
<p>Gatehouse lets you give apps access to your account on the platform, without sharing your password.</p>
<p><a class="button primary" href="/login">Sign in</a></p>
</section>`,
    )
  }
  return layout(
    'Home',
    html`<section class="card narrow" aria-labelledby="title">
<h1 id="title">Gatehouse</h1>
<p>Signed in as <strong>${user.username}</strong>${user.displayName !== user.username ? html` (${user.displayName})` : ''}.</p>
<p class="muted">Apps you allow can use the platform on your behalf, only within the access you approved.</p>
<form method="post" action="/logout">
${csrfField(csrfToken)}
<button type="submit" class="secondary">Sign out</button>
</form>
</section>`,
  )
}
