import { timeAgo, utcDateTime } from '../../domain/time-description.js'
import { csrfField } from '../csrf.js'
import { html, type SafeHtml } from '../html.js'
import { flash } from '../settings-shell.js'
import type { ListedSession } from './account.service.js'
import { timeElement } from './markup.js'
import { PASSWORD_PATH } from './password.page.js'

export const SESSIONS_PATH = '/settings/sessions'

export interface SessionsPageInput {
  csrfToken: string
  sessions: ListedSession[]
  now: number
  /** After ending sessions here: how many. */
  ended?: number
}

export function sessionsPage(input: SessionsPageInput): { title: string; lead: SafeHtml; body: SafeHtml } {
  const others = input.sessions.filter((s) => !s.current).length
  return {
    title: 'Sessions',
    lead: html`The browsers signed in to your account. If you do not recognise one, end it and <a href="${PASSWORD_PATH}">change your password</a>.`,
    body: html`${input.ended !== undefined ? flash(endedMessage(input.ended)) : ''}
<ul class="panel session-list" aria-label="Signed-in browsers">
${input.sessions.map((s) => sessionItem(s, input))}</ul>
${others > 0
  ? html`<section class="panel" aria-labelledby="others-heading">
<h2 id="others-heading">Sign out everywhere else</h2>
<p class="muted">Ends the ${others === 1 ? 'other session' : `${others} other sessions`} above. This browser stays signed in.</p>
<form method="post" action="${SESSIONS_PATH}/end-others" data-confirm="${`Sign out ${others === 1 ? 'the other session' : `all ${others} other sessions`}?`}">
${csrfField(input.csrfToken)}
<button type="submit" class="danger-button">End all other sessions</button>
</form>
</section>`
  : html`<p class="muted">You are not signed in anywhere else.</p>`}`,
  }
}

function sessionItem(session: ListedSession, input: SessionsPageInput): SafeHtml {
  const nameId = `session-${session.id}`
  return html`<li class="session">
<div class="session-about">
<p class="session-name"><strong id="${nameId}">${session.browser}</strong>${session.current ? html` <span class="badge ok">This browser</span>` : ''}</p>
<dl class="session-facts">
<div><dt>Address</dt><dd class="mono">${session.address ?? 'not recorded'}</dd></div>
<div><dt>Last active</dt><dd>${session.current ? 'Now' : lastActive(session.lastSeenAt, input.now)}</dd></div>
<div><dt>Signed in</dt><dd>${timeElement(session.signedInAt, utcDateTime(session.signedInAt))}</dd></div>
</dl>
</div>
${session.current
  ? html`<form method="post" action="/logout">
${csrfField(input.csrfToken)}
<button type="submit" class="secondary small">Sign out</button>
</form>`
  : html`<form method="post" action="${SESSIONS_PATH}/${session.id}/end">
${csrfField(input.csrfToken)}
<button type="submit" class="secondary small" aria-describedby="${nameId}">End session</button>
</form>`}
</li>
`
}

/** Relative, then absolute; minute-sized wording, since the recorded instant is up to a minute behind (LAST_SEEN_RESOLUTION_MS). */
function lastActive(lastSeenAt: number, now: number): SafeHtml {
  const ago = timeAgo(lastSeenAt, now)
  return html`${ago[0].toUpperCase()}${ago.slice(1)} <span class="muted">${timeElement(lastSeenAt, utcDateTime(lastSeenAt))}</span>`
}

function endedMessage(ended: number): string {
  if (ended === 0) return 'There were no other sessions to end.'
  return `${ended === 1 ? 'One session was' : `${ended} sessions were`} ended: ${ended === 1 ? 'that browser is' : 'those browsers are'} signed out.`
}
