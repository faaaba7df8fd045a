import { utcDate } from '../../domain/time-description.js'
import { csrfField } from '../csrf.js'
import { html, type SafeHtml } from '../html.js'
import { flash } from '../settings-shell.js'
import type { Profile } from './account.service.js'
import { field, timeElement } from './markup.js'

export const PROFILE_PATH = '/settings/profile'

export interface ProfilePageInput {
  csrfToken: string
  profile: Profile
  /** What was typed, when the form comes back with an error. */
  displayName?: string
  error?: string
  saved?: boolean
}

export function profilePage(input: ProfilePageInput): { title: string; lead: string; body: SafeHtml } {
  const { profile } = input
  return {
    title: 'Profile',
    lead: 'Your account, and the name people and apps see.',
    body: html`${input.saved ? flash('Your profile is saved.') : ''}${input.error ? flash('Your profile was not saved: see below.', 'error') : ''}
<section class="panel" aria-labelledby="account-heading">
<h2 id="account-heading">Account</h2>
<dl class="facts">
<dt>Username</dt>
<dd><strong>${profile.username}</strong> <span class="hint">Usernames cannot be changed.</span></dd>
<dt>Role</dt>
<dd>${profile.isAdmin ? html`<span class="badge admin">Administrator</span> <span class="hint">You can manage every account, app and workspace.</span>` : 'Member'}</dd>
<dt>Member since</dt>
<dd>${timeElement(profile.memberSince, utcDate(profile.memberSince))}</dd>
</dl>
</section>
<section class="panel" aria-labelledby="name-heading">
<h2 id="name-heading">Public profile</h2>
<form class="stack" method="post" action="${PROFILE_PATH}">
${csrfField(input.csrfToken)}
${field({
  name: 'display_name',
  label: 'Display name',
  type: 'text',
  value: input.displayName ?? profile.displayName,
  hint: 'Shown to other people and to the apps you allow. Up to 100 characters.',
  error: input.error,
  attributes: html` required autocomplete="name" spellcheck="false"`,
})}
<div class="form-actions"><button type="submit" class="primary">Save profile</button></div>
</form>
</section>
<section aria-labelledby="workspaces-heading">
<h2 id="workspaces-heading">Workspaces</h2>
${profile.workspaces.length === 0
  ? html`<p class="panel empty">You do not belong to any workspace.</p>`
  : html`<div class="table-wrap">
<table>
<thead><tr><th scope="col">Workspace</th><th scope="col">Role</th><th scope="col">Joined</th></tr></thead>
<tbody>
${profile.workspaces.map(
  (w) => html`<tr><td><span class="workspace-name">${w.name}</span> <span class="mono muted">${w.slug}</span></td><td>${w.role === 'owner' ? html`<span class="badge">Owner</span>` : 'Member'}</td><td>${timeElement(w.joinedAt, utcDate(w.joinedAt))}</td></tr>\n`,
)}</tbody>
</table>
</div>`}
</section>`,
  }
}
