import { utcDate } from '../domain/time-description.js'
import { html, type SafeHtml } from '../web/index.js'
import type { ScopeUsageReport } from './usage-report.js'

/**
 * "Scope usage" on an app's page (the OAuth consumer's and the installed app's, each in its own section
 * style): the period, the permissions no call needed (which the vendor can remove), and classic scopes
 * still in use with the granular ones to ask for instead. Plain markup: no script needed.
 */
export function scopeUsageSection(report: ScopeUsageReport, sectionClass: string): SafeHtml {
  return html`<section class="${sectionClass} scope-usage" aria-labelledby="scope-usage-heading">
<h2 id="scope-usage-heading">Scope usage</h2>
<p class="muted">${periodText(report)} Counted from the calls the API let through, by the scopes each one needed. <a href="/docs/scopes">The scope reference</a> says what each scope allows.</p>
${report.hasTraffic ? findings(report) : html`<p>No calls of this app reached the API in this period, so there is no traffic to judge its permissions by yet.</p>`}
</section>`
}

function periodText(report: ScopeUsageReport): string {
  const from = report.dataSince !== null && report.dataSince > report.since ? report.dataSince : report.since
  const counted = from === report.since ? '' : ` (usage is recorded from ${dayText(from)} on)`
  return `From ${dayText(report.since)} to ${dayText(report.until)}, UTC${counted}.`
}

function findings(report: ScopeUsageReport): SafeHtml {
  return html`<dl class="facts">
<dt>Never used</dt>
<dd>${report.unused.length === 0
    ? 'Every permission was used.'
    : html`<ul class="bare inline scope-usage-unused">${report.unused.map((scope) => html`<li><code>${scope}</code></li>`)}</ul>
<p class="muted">No call needed these: you can remove them from the app's permissions.</p>`}</dd>
${report.classicInUse.length === 0 ? '' : html`<dt>Classic scopes in use</dt>
<dd><ul class="bare scope-usage-classic">${report.classicInUse.map((c) => html`<li><code>${c.scope}</code> → ${codes(c.replacedBy)}
<span class="muted">(${calls(c.calls)} by ${c.operations.map((o) => o.operationId).join(', ')}${c.deprecatedOn ? `; deprecated on ${dayText(c.deprecatedOn)}` : ''})</span>${c.notRegistered.length > 0 ? html`<br><span class="badge warn">Add first</span> ${codes(c.notRegistered)}` : ''}</li>`)}</ul>
<p class="muted">Ask for the granular scopes instead: they allow exactly the calls the app made with the classic one. Those marked "Add first" are not among its permissions yet.</p></dd>`}
<dt>Used</dt>
<dd><ul class="bare scope-usage-used">${report.used.map((u) => html`<li><code>${u.scope}</code> <span class="muted">${calls(u.calls)}, last on ${dayText(u.lastDay)}${u.registered ? '' : '; no longer among its permissions'}</span></li>`)}${report.callsNeedingNoScope > 0 ? html`<li><span class="muted">and ${calls(report.callsNeedingNoScope)} needing no scope</span></li>` : ''}</ul></dd>
</dl>`
}

function codes(scopes: readonly string[]): SafeHtml {
  return html`${scopes.map((scope, i) => html`${i > 0 ? ', ' : ''}<code>${scope}</code>`)}`
}

function calls(amount: number): string {
  return `${amount} call${amount === 1 ? '' : 's'}`
}

function dayText(day: string): string {
  return utcDate(Date.parse(`${day}T00:00:00Z`))
}
