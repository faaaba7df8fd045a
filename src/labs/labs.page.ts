import { utcDate, utcDateTime } from '../domain/time-description.js'
import { csrfField, flash, html, type SafeHtml } from '../web/index.js'
import { findFlag, MODE_ON_NOTE, type FlagAudience, type FlagModes } from './flags.js'
import type { ListedFlag } from './labs.service.js'

export const LABS_PATH = '/account/labs'

export function flagPath(name: string): string {
  return `${LABS_PATH}/${encodeURIComponent(name)}`
}

const AUDIENCE: Record<FlagAudience, string> = {
  user: 'For people who use apps',
  vendor: 'For app vendors: applies to every app you publish',
}

export interface LabsPageInput {
  flags: ListedFlag[]
  modes: FlagModes
  csrfToken: string
  /** After a toggle. */
  turned?: { flag: string; on: boolean }
}

export function labsPage(input: LabsPageInput): { title: string; lead: string; body: SafeHtml } {
  return {
    title: 'Labs',
    lead: 'Try features before they reach everyone. Each flag is for your account alone, and you can turn it off at any time.',
    body: html`${turnedNotice(input.turned)}
<ul class="lab-list" aria-label="Feature flags">
${input.flags.map((flag) => flagItem(flag, input))}</ul>`,
  }
}

function flagItem(flag: ListedFlag, input: LabsPageInput): SafeHtml {
  const titleId = `flag-${flag.name}`
  const moot = input.modes[flag.mode] === 'on'
  return html`<li class="panel lab-flag">
<div class="lab-title">
<h2 id="${titleId}">${flag.title}</h2>
<p class="lab-meta">${flag.enabled ? html`<span class="badge ok">On</span>` : html`<span class="badge">Off</span>`}${flag.enabledAt !== null ? html` <span class="muted">since <time datetime="${new Date(flag.enabledAt).toISOString()}" title="${utcDateTime(flag.enabledAt)}">${utcDate(flag.enabledAt)}</time></span>` : ''}</p>
</div>
<p class="lab-audience">${AUDIENCE[flag.audience]}</p>
<p class="lab-description">${flag.description}</p>
${moot ? html`<p class="notice info lab-note">${MODE_ON_NOTE[flag.mode]}</p>` : ''}
<form method="post" action="${flagPath(flag.name)}" class="lab-toggle">
${csrfField(input.csrfToken)}
<input type="hidden" name="enabled" value="${flag.enabled ? 'off' : 'on'}">
<button type="submit" class="${flag.enabled ? 'secondary' : 'primary'} small" aria-describedby="${titleId}">${flag.enabled ? 'Turn off' : 'Turn on'}</button>
</form>
</li>
`
}

function turnedNotice(turned: LabsPageInput['turned']): SafeHtml {
  const flag = turned && findFlag(turned.flag)
  if (!turned || !flag) return html``
  return flash(`“${flag.title}” is ${turned.on ? 'on' : 'off'} for your account.`)
}
