import { csrfField, flash, html, type SafeHtml } from '../../web/index.js'
import type { ListQuery, UserAction } from '../admin.schemas.js'
import type { UserListRow } from '../console.queries.js'
import { actionMenu, countOf, dateOf, emptyList, listUrl, pagination, searchForm, statusBadge, type ConsolePage, type MenuItem } from './components.js'

export const USERS_PATH = '/settings/admin/users'
export const NEW_USER_PATH = `${USERS_PATH}/new`

export type UserNotice = UserAction | 'created'

const DONE: Record<UserNotice, (name: string) => string> = {
  created: (name) => `Created the account ${name}.`,
  disable: (name) => `${name} is disabled: signed out everywhere, with every grant and token revoked.`,
  enable: (name) => `${name} is enabled again. Tokens revoked while it was disabled stay revoked.`,
  delete: (name) => `${name} is deleted.`,
  'make-admin': (name) => `${name} is now an administrator.`,
  'remove-admin': (name) => `${name} is no longer an administrator.`,
}

export interface UserListInput {
  query: ListQuery<UserNotice>
  rows: UserListRow[]
  total: number
  /** The administrator looking: their own row offers less. */
  actor: string
  csrfToken: string
  /** A refusal of the action just tried, shown instead of the query's notice. */
  error?: string
}

export function userListPage(input: UserListInput): ConsolePage {
  const { query, rows, total } = input
  const state = { q: query.q, page: query.page }
  const notice = input.error ? flash(input.error, 'error') : query.done && query.name ? flash(DONE[query.done](query.name)) : html``
  return {
    title: 'Users',
    lead: 'Every account on this Gatehouse: find one, change its access, or give it a new password.',
    actions: html`<a class="button primary small" href="${NEW_USER_PATH}">Create user</a>`,
    body: html`${notice}
${searchForm({ path: USERS_PATH, q: query.q, label: 'Search users', placeholder: 'Username or name' })}
${rows.length === 0
  ? emptyList({ path: USERS_PATH, state, total, noun: 'user', none: 'There are no accounts yet.' })
  : html`<div class="table-wrap console">
<table>
<caption class="visually-hidden">Users${query.q ? ` matching “${query.q}”` : ''}, ${countOf(total, 'account')}</caption>
<thead><tr><th scope="col">User</th><th scope="col">Status</th><th scope="col" class="hide-narrow">Created</th><th scope="col" class="actions-cell"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>
${rows.map((user) => userRow(user, input))}</tbody>
</table>
</div>`}
${pagination({ path: USERS_PATH, state, total, noun: 'user' })}`,
  }
}

function userRow(user: UserListRow, input: UserListInput): SafeHtml {
  const own = user.username === input.actor
  return html`<tr>
<th scope="row" class="cell-name">${user.username}${user.is_admin === 1 ? html` <span class="badge admin">Admin</span>` : ''}${own ? html` <span class="badge">You</span>` : ''}${user.kind === 'app' ? html` <span class="badge">App account</span>` : ''}<span class="cell-detail">${user.display_name}</span></th>
<td>${statusBadge(user.disabled_at)}</td>
<td class="hide-narrow">${dateOf(user.created_at)}</td>
<td class="actions-cell">${actionMenu({
  subject: user.username,
  csrfToken: input.csrfToken,
  state: { q: input.query.q, page: input.query.page },
  items: own || user.kind === 'app' ? [] : userActions(user),
  note: own
    ? 'This is your account. Another administrator can disable or delete it, remove its admin role or reset its password.'
    : user.kind === 'app' ? 'An installed app acts as this account in its workspace. It cannot sign in; uninstalling the app ends it.' : undefined,
})}</td>
</tr>
`
}

function userActions(user: UserListRow): MenuItem[] {
  const at = (action: string) => `${USERS_PATH}/${encodeURIComponent(user.username)}/${action}`
  return [
    user.disabled_at === null
      ? { action: at('disable'), label: 'Disable', confirm: `Disable ${user.username}? They are signed out everywhere, and every grant and token they hold is revoked.` }
      : { action: at('enable'), label: 'Enable' },
    { action: at('reset-password'), label: 'Reset password', confirm: `Reset the password of ${user.username}? They are signed out everywhere, and you get a new password to give them.` },
    user.is_admin === 1 ? { action: at('remove-admin'), label: 'Remove admin' } : { action: at('make-admin'), label: 'Make admin' },
    { action: at('delete'), label: 'Delete', danger: true, confirm: `Delete ${user.username}? This cannot be undone.` },
  ]
}

export interface NewUserForm {
  username?: string
  displayName?: string
  passwordChoice?: 'generate' | 'set'
  isAdmin?: boolean
}

export type NewUserErrors = Partial<Record<'username' | 'displayName' | 'password', string>>

export function newUserPage(input: { csrfToken: string; form?: NewUserForm; errors?: NewUserErrors }): ConsolePage {
  const form = input.form ?? {}
  const errors = input.errors ?? {}
  const setPassword = form.passwordChoice === 'set'
  return {
    title: 'Create user',
    lead: html`A new account that can sign in at once. <a href="${USERS_PATH}">Back to users</a>`,
    body: html`${Object.keys(errors).length > 0 ? flash('The account was not created: see below.', 'error') : ''}
<form method="post" action="${USERS_PATH}" class="stack panel">
${csrfField(input.csrfToken)}
${textField({ id: 'username', label: 'Username', value: form.username, error: errors.username, hint: '2–39 characters: lower-case letters, digits, “_”, “.” or “-”, starting with a letter or digit.', attributes: html` required maxlength="39" autocomplete="off" autocapitalize="none" spellcheck="false"` })}
${textField({ id: 'display_name', label: 'Display name', value: form.displayName, error: errors.displayName, hint: 'Optional: the name others see. The username if left empty.', attributes: html` maxlength="100" autocomplete="off"` })}
<fieldset class="password-choice">
<legend>Password</legend>
<label class="checkbox"><input type="radio" name="password_choice" value="generate"${setPassword ? '' : html` checked`}><span>Generate a password<span class="hint">Shown to you once, after the account is created, for you to pass on.</span></span></label>
<label class="checkbox"><input type="radio" name="password_choice" value="set"${setPassword ? html` checked` : ''}><span>Set a password</span></label>
<div class="field set-password">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" maxlength="1024" aria-describedby="password-hint${errors.password ? ' password-error' : ''}"${errors.password ? html` aria-invalid="true"` : ''}>
<p class="hint" id="password-hint">At least 8 characters.</p>
${errors.password ? html`<p class="field-error" id="password-error">${errors.password}</p>` : ''}
</div>
</fieldset>
<label class="checkbox"><input type="checkbox" name="is_admin" value="on"${form.isAdmin ? html` checked` : ''}><span>Administrator<span class="hint">Can manage every account, app and workspace of this Gatehouse.</span></span></label>
<div class="form-actions">
<button type="submit" class="primary">Create user</button>
<a class="button secondary" href="${USERS_PATH}">Cancel</a>
</div>
</form>`,
  }
}

function textField(input: { id: string; label: string; value: string | undefined; error: string | undefined; hint: string; attributes: SafeHtml }): SafeHtml {
  return html`<div class="field">
<label for="${input.id}">${input.label}</label>
<input id="${input.id}" name="${input.id}" type="text" value="${input.value ?? ''}"${input.attributes} aria-describedby="${input.id}-hint${input.error ? ` ${input.id}-error` : ''}"${input.error ? html` aria-invalid="true"` : ''}>
<p class="hint" id="${input.id}-hint">${input.hint}</p>
${input.error ? html`<p class="field-error" id="${input.id}-error">${input.error}</p>` : ''}
</div>`
}

/** A password shown once: after creating an account with a generated one, or after a reset. */
export function passwordShownOncePage(input: { title: string; notice: string; username: string; password: string }): ConsolePage {
  return {
    title: input.title,
    body: html`${flash(input.notice)}
<section class="panel" aria-labelledby="password-title">
<h2 id="password-title">Password for ${input.username}</h2>
<p class="muted">Copy it now and give it to ${input.username} over a channel you trust: it is not shown again, and Gatehouse keeps only a hash of it.</p>
<div class="secret">
<label for="new-password" class="visually-hidden">New password for ${input.username}</label>
<input id="new-password" type="text" readonly value="${input.password}" autocomplete="off" spellcheck="false">
<button type="button" class="copy secondary small" data-copy="new-password" hidden>Copy</button>
</div>
</section>
<p><a class="button secondary" href="${listUrl(USERS_PATH, { q: input.username })}">Back to users</a></p>`,
  }
}
