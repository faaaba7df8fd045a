import { ENFORCEMENT_MODES, type EnforcementMode } from '../domain/rollout.js'
import { csrfField, flash, html, type SafeHtml } from '../web/index.js'
import { ENFORCEMENTS_PATH, errorNotice, nothing, timeOf, type SettingsPage } from './console.pages.js'
import type { EnforcementChange, EnforcementState } from './enforcements.service.js'

/** Admin → Enforcements: each named security change, its mode, percentage and cohort, a form to change them, and who changed what. */

export function enforcementPath(name: string): string {
  return `${ENFORCEMENTS_PATH}/${encodeURIComponent(name)}`
}

export interface EnforcementFormValues {
  mode: string
  percent: string
  /** One cohort member per line. */
  cohort: string
}

export interface EnforcementsInput {
  enforcements: { state: EnforcementState; changes: EnforcementChange[] }[]
  csrf: string
  notice?: string
  /** A refused form: which enforcement, what was typed, and why. */
  refused?: { name: string; values: EnforcementFormValues; message: string }
}

const MODES: Record<EnforcementMode, { label: string; badge: SafeHtml; explains: string }> = {
  off: { label: 'Off', badge: html`<span class="badge">Off</span>`, explains: 'Nothing changes for any app.' },
  'report-only': {
    label: 'Report only',
    badge: html`<span class="badge warn">Report only</span>`,
    explains: 'Requests it would refuse succeed, and each is reported to the app\'s vendor.',
  },
  enforce: { label: 'Enforce', badge: html`<span class="badge danger">Enforce</span>`, explains: 'Requests it refuses fail, for the apps in scope.' },
}

export function enforcementsPage(input: EnforcementsInput): SettingsPage {
  return {
    title: 'Enforcements',
    lead: 'Security changes that would break some apps reach them a few at a time: report first, so vendors fix their apps, then enforce. An app is in scope if the cohort names it or its workspace, or its bucket is under the percentage; raising the percentage only adds apps.',
    body: html`${input.refused ? '' : flash(input.notice)}
${input.enforcements.map(({ state, changes }) => enforcementSection(state, changes, input))}`,
    status: input.refused ? 400 : 200,
  }
}

function enforcementSection(state: EnforcementState, changes: EnforcementChange[], input: EnforcementsInput): SafeHtml {
  const id = `enforcement-${state.name}`
  const refused = input.refused?.name === state.name ? input.refused : undefined
  const values = refused?.values ?? { mode: state.mode, percent: String(state.percent), cohort: state.cohort.join('\n') }
  return html`<section class="panel enforcement" aria-labelledby="${id}-title">
<h2 id="${id}-title">${state.name}</h2>
<p>${state.description.charAt(0).toUpperCase()}${state.description.slice(1)}.</p>
<dl class="facts">
<dt>Mode</dt><dd>${MODES[state.mode]?.badge ?? state.mode}</dd>
<dt>Percentage of apps</dt><dd>${state.percent}%</dd>
<dt>Cohort</dt><dd>${state.cohort.length === 0 ? html`<span class="muted">Nobody</span>` : html`<ul class="bare">${state.cohort.map((member) => html`<li><code>${member}</code></li>`)}</ul>`}</dd>
<dt>Last changed</dt><dd>${state.updatedAt === null ? html`<span class="muted">Never set: off</span>` : html`${timeOf(state.updatedAt, true)} by ${state.updatedBy ?? 'someone unknown'}`}</dd>
</dl>
<h3 id="${id}-form-title">Change</h3>
${refused ? errorNotice(refused.message) : ''}
<form method="post" action="${enforcementPath(state.name)}" class="stack" aria-labelledby="${id}-form-title" novalidate>
${csrfField(input.csrf)}
<fieldset>
<legend>Mode</legend>
${ENFORCEMENT_MODES.map((mode) => html`<label class="checkbox"><input type="radio" name="mode" value="${mode}"${values.mode === mode ? html` checked` : ''}><span>${MODES[mode].label}<span class="hint">${MODES[mode].explains}</span></span></label>
`)}</fieldset>
<div class="field">
<label for="${id}-percent">Percentage of apps</label>
<span class="hint" id="${id}-percent-hint">A whole number from 0 to 100. Each app's bucket comes from a stable hash of its key.</span>
<input type="text" inputmode="numeric" id="${id}-percent" name="percent" value="${values.percent}" aria-describedby="${id}-percent-hint" autocomplete="off">
</div>
<div class="field">
<label for="${id}-cohort">Cohort</label>
<span class="hint" id="${id}-cohort-hint">One per line: <code>app:&lt;key&gt;</code> or <code>workspace:&lt;slug&gt;</code>, in scope whatever the percentage.</span>
<textarea id="${id}-cohort" name="cohort" rows="3" class="mono" spellcheck="false" aria-describedby="${id}-cohort-hint">${values.cohort}</textarea>
</div>
<div class="form-actions"><button type="submit" class="primary">Save<span class="visually-hidden"> ${state.name}</span></button></div>
</form>
<h3 id="${id}-history-title">History</h3>
${changes.length === 0
  ? html`<p class="muted">Never changed.</p>`
  : html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="${id}-history-title">
<table>
<thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Mode</th><th scope="col" class="numeric">Percent</th><th scope="col">Cohort</th></tr></thead>
<tbody>
${[...changes].reverse().map((change) => html`<tr>
<th scope="row" class="cell-name">${timeOf(change.changedAt, true)}</th>
<td>${change.changedBy}</td>
<td>${MODES[change.mode]?.badge ?? change.mode}</td>
<td class="numeric">${change.percent}%</td>
<td>${change.cohort.length === 0 ? nothing('Nobody') : change.cohort.join(', ')}</td>
</tr>
`)}</tbody>
</table>
</div>`}
</section>`
}
