import { MIN_PASSWORD_LENGTH } from '../../users/users.service.js'
import { csrfField } from '../csrf.js'
import { html, type SafeHtml } from '../html.js'
import { flash } from '../settings-shell.js'
import { field } from './markup.js'

export const PASSWORD_PATH = '/settings/password'

export interface PasswordErrors {
  current_password?: string
  new_password?: string
  confirm_password?: string
}

export interface PasswordPageInput {
  csrfToken: string
  /** For password managers: which account this form changes the password of. */
  username: string
  errors?: PasswordErrors
  /** After a change: how many other sessions it ended. */
  ended?: number
}

export function passwordPage(input: PasswordPageInput): { title: string; lead: string; body: SafeHtml } {
  const errors = input.errors ?? {}
  return {
    title: 'Password',
    lead: 'The password you sign in to Gatehouse with.',
    body: html`${input.ended !== undefined ? flash(changedMessage(input.ended)) : ''}${Object.keys(errors).length > 0 ? flash('Your password was not changed: see below.', 'error') : ''}
<section class="panel" aria-labelledby="change-heading">
<h2 id="change-heading">Change password</h2>
<p class="muted panel-intro">Changing your password signs you out everywhere else. This browser stays signed in.</p>
<form class="stack" method="post" action="${PASSWORD_PATH}">
${csrfField(input.csrfToken)}
<input type="text" autocomplete="username" value="${input.username}" hidden>
${field({ name: 'current_password', label: 'Current password', type: 'password', error: errors.current_password, attributes: html` required autocomplete="current-password"` })}
${field({
  name: 'new_password',
  label: 'New password',
  type: 'password',
  hint: `At least ${MIN_PASSWORD_LENGTH} characters. A long passphrase is easier to remember than a short complicated one.`,
  error: errors.new_password,
  attributes: html` required minlength="${MIN_PASSWORD_LENGTH}" autocomplete="new-password"`,
})}
${field({ name: 'confirm_password', label: 'Confirm new password', type: 'password', error: errors.confirm_password, attributes: html` required autocomplete="new-password"` })}
<div class="form-actions"><button type="submit" class="primary">Change password</button></div>
</form>
</section>`,
  }
}

function changedMessage(ended: number): string {
  if (ended === 0) return 'Your password is changed. You were not signed in anywhere else.'
  return `Your password is changed, and ${ended} other ${ended === 1 ? 'session was' : 'sessions were'} signed out.`
}
