import type { ReconsentProgress } from '../consent/decisions.service.js'
import { reconsentProgressSection } from '../consent/reconsent-progress.markup.js'
import type { DescriptorProblem } from '../domain/descriptor.js'
import type { ScopeDefinition } from '../domain/scopes.js'
import { scopeUsageSection, type ScopeUsageReport } from '../scopes/usage.js'
import { csrfField, flash, html, type SafeHtml } from '../web/index.js'
import { DEVELOPER_APPS_PATH, developerAppPath, errorNotice, nothing, scopeList, sentence, stateBadge, timeOf, type SettingsPage } from './console.pages.js'
import type { DescriptorFormValues } from './console.service.js'
import type { InstalledApp } from './descriptors.service.js'
import type { EnforcementReport } from './enforcements.service.js'
import type { DeliveryListing, InstallationListing } from './installations.service.js'

/** Developer → Installed apps: the apps a vendor publishes, registering a descriptor, and each app's installations, callbacks and reports. */

const WHAT_AN_INSTALLED_APP_IS = 'An installed app lives inside workspaces. You publish a descriptor (its name, where it runs, its lifecycle callbacks, the permissions it needs and its pages); workspace owners install it, and Gatehouse sends your app a signed callback with each installation\'s shared secret.'

/** A refused registration: one message, or every problem of the descriptor by field. */
export interface RegisterError {
  message: string
  problems?: DescriptorProblem[]
}

export interface DeveloperListInput {
  apps: InstalledApp[]
  showOwner: boolean
  csrf: string
  values: DescriptorFormValues
  notice?: string
  error?: RegisterError
}

export function developerListPage(input: DeveloperListInput): SettingsPage {
  const { apps } = input
  const list = apps.length === 0
    ? html`<div class="panel empty"><h2>No installed apps yet</h2><p>${WHAT_AN_INSTALLED_APP_IS}</p></div>`
    : html`<div class="table-wrap console">
<table>
<caption class="visually-hidden">Your installed apps</caption>
<thead><tr><th scope="col">App</th><th scope="col">Version</th><th scope="col" class="hide-narrow">Descriptor</th>${input.showOwner ? html`<th scope="col" class="hide-narrow">Owner</th>` : ''}<th scope="col" class="hide-narrow">Updated</th><th scope="col">Status</th></tr></thead>
<tbody>
${apps.map((app) => html`<tr>
<th scope="row" class="cell-name"><a href="${developerAppPath(app.key)}">${app.descriptor.name}</a><span class="cell-detail"><code>${app.key}</code></span></th>
<td class="numeric">${app.version}</td>
<td class="hide-narrow">${app.sourceUrl ? 'From its URL' : 'Pasted or a file'}</td>
${input.showOwner ? html`<td class="hide-narrow">${app.ownerUsername ?? nothing('No owner')}</td>` : ''}
<td class="hide-narrow">${timeOf(app.updatedAt)}</td>
<td>${app.disabled ? html`<span class="badge danger">Disabled</span>` : html`<span class="badge ok">Active</span>`}</td>
</tr>
`)}</tbody>
</table>
</div>`
  return {
    title: 'Installed apps',
    lead: 'Apps you publish for workspaces to install.',
    actions: html`<a class="button primary" href="#register-title">Register descriptor</a>`,
    body: html`${input.error ? '' : flash(input.notice)}
${list}
${registerForm(input)}`,
    status: input.error ? 400 : 200,
  }
}

function registerForm(input: DeveloperListInput): SafeHtml {
  const { error, values } = input
  return html`<section class="panel register-descriptor" aria-labelledby="register-title">
<h2 id="register-title">Register descriptor</h2>
<p class="muted">Give the URL where your app serves its descriptor, or paste the descriptor. A descriptor whose key you already registered updates that app: a changed descriptor is a new version.</p>
${error ? registerErrorNotice(error) : ''}
<form method="post" action="${DEVELOPER_APPS_PATH}" class="stack" novalidate>
${csrfField(input.csrf)}
<div class="field">
<label for="descriptor-url">Descriptor URL</label>
<span class="hint" id="descriptor-url-hint">Gatehouse fetches it now, and again whenever you press Update from URL on the app's page.</span>
<input type="url" id="descriptor-url" name="url" value="${values.url}" placeholder="https://reports.example.com/descriptor.json" aria-describedby="descriptor-url-hint" autocomplete="off">
</div>
<div class="field">
<label for="descriptor-json">Or paste the descriptor JSON</label>
<span class="hint" id="descriptor-json-hint">The whole document: <code>key</code>, <code>name</code>, <code>baseUrl</code>, <code>authentication</code>, <code>lifecycle</code>, <code>scopes</code>, <code>modules</code>, <code>approval</code>.</span>
<textarea id="descriptor-json" name="json" rows="10" class="mono" spellcheck="false" aria-describedby="descriptor-json-hint">${values.json}</textarea>
</div>
<div class="form-actions"><button type="submit" class="primary">Register descriptor</button></div>
</form>
</section>`
}

function registerErrorNotice(error: RegisterError): SafeHtml {
  if (!error.problems) return errorNotice(error.message)
  const count = error.problems.length
  return errorNotice(
    `The descriptor was not registered: ${count === 1 ? 'one field needs' : `${count} fields need`} fixing.`,
    html`<ul class="descriptor-problems">${error.problems.map((p) => html`<li><code>${p.field}</code>: ${problemText(p)}</li>`)}</ul>`,
  )
}

/** The problem's message without the field it starts with (shown apart, as code). */
function problemText(problem: DescriptorProblem): string {
  const prefix = `${problem.field}: `
  return problem.message.startsWith(prefix) ? problem.message.slice(prefix.length) : problem.message
}

// ---------------------------------------------------------------- one app

export interface DeveloperAppInput {
  app: InstalledApp
  installations: InstallationListing[]
  deliveries: DeliveryListing[]
  reports: EnforcementReport[]
  /** During a re-consent grace period: per workspace, people who approved the current scopes and people still on the old ones. */
  reconsent: ReconsentProgress
  /** What its calls through the API needed lately. */
  usage: ScopeUsageReport
  catalogue: readonly ScopeDefinition[]
  csrf: string
  notice?: string
  error?: RegisterError
}

export function developerAppPage(input: DeveloperAppInput): SettingsPage {
  const { app } = input
  const { descriptor } = app
  return {
    title: descriptor.name,
    lead: html`Installed app <code>${app.key}</code>, version ${app.version}. <a href="${DEVELOPER_APPS_PATH}">All installed apps</a>`,
    actions: app.sourceUrl ? refreshForm(app, input.csrf) : undefined,
    body: html`${input.error ? registerErrorNotice(input.error) : flash(input.notice)}
${app.disabled ? html`<p class="notice warn">An administrator disabled this app: it cannot be installed, and its installations cannot get tokens.</p>` : ''}
${summarySection(app)}
<section class="panel" aria-labelledby="scopes-title">
<h2 id="scopes-title">Permissions</h2>
${scopeList(descriptor.scopes, input.catalogue)}
</section>
${scopeUsageSection(input.usage, 'panel')}
${reconsentProgressSection(input.reconsent, 'console-section')}
${installationsSection(input.installations)}
${deliveriesSection(input.deliveries)}
${reportsSection(input.reports)}`,
    status: input.error ? 400 : 200,
  }
}

function refreshForm(app: InstalledApp, csrf: string): SafeHtml {
  const options: [string, string][] = [['0', 'end them now'], ['7', 'keep them 7 days'], ['14', 'keep them 14 days'], ['30', 'keep them 30 days']]
  return html`<form method="post" action="${developerAppPath(app.key, 'refresh')}" class="refresh-form">
${csrfField(csrf)}<label for="reconsent_grace">If the new version asks for more, people's approvals:</label>
<select id="reconsent_grace" name="reconsent_grace">${options.map(([value, label]) => html`<option value="${value}">${label}</option>`)}</select>
<button type="submit" class="secondary">Update from URL</button>
</form>`
}

function summarySection(app: InstalledApp): SafeHtml {
  const { descriptor } = app
  const events = (['installed', 'uninstalled', 'enabled', 'disabled'] as const).filter((event) => descriptor.lifecycle[event] !== undefined)
  return html`<section class="panel" aria-labelledby="descriptor-title">
<h2 id="descriptor-title">Descriptor</h2>
<dl class="facts">
<dt>Key</dt><dd><code>${app.key}</code></dd>
<dt>Description</dt><dd>${descriptor.description || html`<span class="muted">None</span>`}</dd>
<dt>Vendor</dt><dd>${descriptor.vendor ? html`${descriptor.vendor.name}${descriptor.vendor.url ? html` <span class="muted">(<a href="${descriptor.vendor.url}" rel="noopener noreferrer">${descriptor.vendor.url}</a>)</span>` : ''}` : html`<span class="muted">None</span>`}</dd>
<dt>Base URL</dt><dd><code>${descriptor.baseUrl}</code></dd>
<dt>Lifecycle</dt><dd><ul class="bare">${events.map((event) => html`<li>${event}: <code>${descriptor.lifecycle[event]}</code></li>`)}</ul></dd>
<dt>Pages</dt><dd><ul class="bare">${descriptor.modules.pages.map((page) => html`<li>${page.name}: <code>${page.url}</code></li>`)}</ul></dd>
<dt>Approval</dt><dd>${descriptor.approval === 'per-installation' ? 'Per installation: each workspace approves it' : 'Shared: one approval for every workspace'}</dd>
<dt>Version</dt><dd>${app.version}</dd>
<dt>Source</dt><dd>${app.sourceUrl ? html`<code>${app.sourceUrl}</code>` : html`<span class="muted">Pasted or a file: to update it, register the new descriptor</span>`}</dd>
<dt>Owner</dt><dd>${app.ownerUsername ?? html`<span class="muted">None</span>`}</dd>
<dt>Registered</dt><dd>${timeOf(app.createdAt)}</dd>
<dt>Last changed</dt><dd>${timeOf(app.updatedAt, true)}</dd>
</dl>
</section>`
}

function installationsSection(installations: InstallationListing[]): SafeHtml {
  return html`<section class="console-section" aria-labelledby="installations-title">
<h2 id="installations-title">Installations <span class="count">${installations.length}</span></h2>
<p class="muted">Every installation, also ended ones: a workspace imported from another site has a previous clientKey, so you can move its data.</p>
${installations.length === 0
  ? html`<div class="panel empty"><p>No workspace has installed this app yet.</p></div>`
  : html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="installations-title">
<table class="installations">
<thead><tr><th scope="col">Workspace</th><th scope="col">State</th><th scope="col">clientKey</th><th scope="col">oauthClientId</th><th scope="col">Previous clientKey</th><th scope="col">Installed</th></tr></thead>
<tbody>
${installations.map((i) => html`<tr>
<th scope="row" class="cell-name">${i.workspaceName}${i.workspaceName !== i.workspaceSlug ? html`<span class="cell-detail"><code>${i.workspaceSlug}</code></span>` : ''}</th>
<td>${stateBadge(i.state)}</td>
<td><code>${i.clientKey}</code></td>
<td><code>${i.oauthClientId}</code></td>
<td>${i.previousClientKey ? html`<code>${i.previousClientKey}</code>` : nothing('None')}</td>
<td>${timeOf(i.createdAt)}${i.installedByUsername ? html`<span class="cell-detail">by ${i.installedByUsername}</span>` : ''}${i.endedAt ? html`<span class="cell-detail">ended ${timeOf(i.endedAt)}</span>` : ''}</td>
</tr>
`)}</tbody>
</table>
</div>`}
</section>`
}

const DELIVERY_STATES: Record<string, SafeHtml> = {
  delivered: html`<span class="badge ok">Delivered</span>`,
  pending: html`<span class="badge warn">Pending</span>`,
  failed: html`<span class="badge danger">Failed</span>`,
  skipped: html`<span class="badge">Skipped</span>`,
}

function deliveriesSection(deliveries: DeliveryListing[]): SafeHtml {
  return html`<section class="console-section" aria-labelledby="deliveries-title">
<h2 id="deliveries-title">Lifecycle callbacks <span class="count">${deliveries.length}</span></h2>
<p class="muted">What Gatehouse sent your app, newest first. Callbacks of an installation go out in order, each retried with backoff until your app answers 2xx.</p>
${deliveries.length === 0
  ? html`<div class="panel empty"><p>No callbacks were sent yet.</p></div>`
  : html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="deliveries-title">
<table class="deliveries">
<thead><tr><th scope="col">Event</th><th scope="col">Workspace</th><th scope="col">State</th><th scope="col" class="numeric">Attempts</th><th scope="col">Last answer</th><th scope="col">When</th></tr></thead>
<tbody>
${deliveries.map((d) => html`<tr>
<th scope="row" class="cell-name"><code>${d.event}</code><span class="cell-detail" title="${d.url}">${pathOf(d.url)}</span></th>
<td>${d.workspaceSlug}<span class="cell-detail"><code>${d.clientKey}</code></span></td>
<td>${DELIVERY_STATES[d.state] ?? html`<span class="badge">${d.state}</span>`}</td>
<td class="numeric">${d.attempts}</td>
<td class="last-answer">${lastAnswer(d)}</td>
<td>${timeOf(d.createdAt, true)}${d.state === 'pending' && d.nextAttemptAt !== null ? html`<span class="cell-detail">next try ${timeOf(d.nextAttemptAt, true)}</span>` : ''}</td>
</tr>
`)}</tbody>
</table>
</div>`}
</section>`
}

/** The callback's path: its base URL is in the descriptor above. */
function pathOf(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    return url
  }
}

function lastAnswer(delivery: DeliveryListing): SafeHtml {
  if (delivery.lastStatus === null && delivery.lastError === null) return nothing(delivery.attempts === 0 ? 'Not sent yet' : 'None')
  return html`${delivery.lastStatus !== null ? html`<code>${delivery.lastStatus}</code>` : ''}${delivery.lastError ? html`<span class="cell-detail">${sentence(delivery.lastError)}</span>` : ''}`
}

function reportsSection(reports: EnforcementReport[]): SafeHtml {
  return html`<section class="console-section" aria-labelledby="reports-title">
<h2 id="reports-title">Enforcement reports <span class="count">${reports.length}</span></h2>
<p class="muted">Requests of your app that a security change in report-only mode let through, and would refuse once it is enforced. Fix them before then; your app can read them too, at <code>GET /api/apps/{key}/enforcement-reports</code>.</p>
${reports.length === 0
  ? html`<div class="panel empty"><p>Nothing to fix: no request of this app would have been refused.</p></div>`
  : html`<div class="table-wrap" tabindex="0" role="region" aria-labelledby="reports-title">
<table class="reports">
<thead><tr><th scope="col">When</th><th scope="col">Enforcement</th><th scope="col">Installation</th><th scope="col">What to change</th></tr></thead>
<tbody>
${reports.map((r) => html`<tr>
<th scope="row" class="cell-name">${timeOf(r.createdAt, true)}</th>
<td><code>${r.enforcement}</code></td>
<td>${r.workspace ?? nothing('Deleted')}${r.clientKey ? html`<span class="cell-detail"><code>${r.clientKey}</code></span>` : ''}</td>
<td class="report-detail">${reportDetail(r.detail)}</td>
</tr>
`)}</tbody>
</table>
</div>`}
</section>`
}

/** A stale identifier and the current one, when the report names them; otherwise every detail as it came. */
function reportDetail(detail: Record<string, unknown>): SafeHtml {
  const stale = detail.staleOauthClientId
  const current = detail.currentOauthClientId
  if (typeof stale === 'string' && typeof current === 'string') {
    return html`oauthClientId <code>${stale}</code> is stale; use <code>${current}</code>, from the latest installed callback${typeof detail.grantType === 'string' ? html`<span class="cell-detail">grant_type ${detail.grantType}</span>` : ''}`
  }
  return html`<ul class="bare">${Object.entries(detail).map(([name, value]) => html`<li>${name}: <code>${typeof value === 'string' ? value : JSON.stringify(value)}</code></li>`)}</ul>`
}
