import type { App } from '../apps/app.js'
import type { ReconsentProgress } from '../consent/decisions.service.js'
import { reconsentProgressSection } from '../consent/reconsent-progress.markup.js'
import type { ScopeDefinition } from '../domain/scopes.js'
import { scopeUsageSection, type ScopeUsageReport } from '../scopes/usage.js'
import { csrfField, flash, html, type sendSettingsPage, type SafeHtml } from '../web/index.js'
import type { ConsumerFormValues, ConsumerRow, WorkspaceRef } from './consumers.service.js'

/** What `sendSettingsPage` renders: title, lead, actions beside the title, and the body. */
type SettingsPage = Parameters<typeof sendSettingsPage>[2]

export const CONSUMERS_PATH = '/settings/developer/consumers'

export function consumerPath(clientId: string, action = ''): string {
  return `${CONSUMERS_PATH}/${encodeURIComponent(clientId)}${action ? `/${action}` : ''}`
}

/** Form fields an error can be shown beside; anything else is shown above the form. */
export type ConsumerFormField = 'name' | 'description' | 'redirect_uris' | 'homepage_url' | 'workspace' | 'scope' | 'form'

export interface FormError {
  field: ConsumerFormField
  message: string
}

const WHAT_A_CONSUMER_IS = 'A consumer is an app that signs people in with Gatehouse and calls the API for them, with the permissions you choose. Each one gets a Key, which identifies it, and a private one also gets a Secret.'

// ---------------------------------------------------------------- list

export function listPage(consumers: ConsumerRow[], csrf: string, notice?: string): SettingsPage {
  const actions = consumers.length > 0 ? html`<a class="button primary" href="${CONSUMERS_PATH}/new">Add consumer</a>` : undefined
  const body = consumers.length === 0
    ? html`${flash(notice)}<div class="panel empty consumers-empty">
<h2>No OAuth consumers yet</h2>
<p>${WHAT_A_CONSUMER_IS}</p>
<p><a class="button primary" href="${CONSUMERS_PATH}/new">Add consumer</a></p>
</div>`
    : html`${flash(notice)}<div class="table-wrap console">
<table class="consumers">
<thead><tr><th scope="col">Name</th><th scope="col" class="hide-narrow">Key</th><th scope="col" class="hide-narrow">Type</th><th scope="col" class="hide-narrow">Workspace</th><th scope="col">Status</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>
${consumers.map((c) => consumerRow(c, csrf))}</tbody>
</table>
</div>`
  return {
    title: 'OAuth consumers',
    lead: 'Apps that sign people in with Gatehouse and use the API on their behalf.',
    actions,
    body,
  }
}

function consumerRow({ app, workspace }: ConsumerRow, csrf: string): SafeHtml {
  return html`<tr>
<td><a class="consumer-name" href="${consumerPath(app.clientId)}">${app.name}</a>${app.description ? html`<div class="muted truncate">${app.description}</div>` : ''}</td>
<td class="hide-narrow"><code>${app.clientId}</code></td>
<td class="hide-narrow">${app.isPublic ? 'Public' : 'Private'}</td>
<td class="hide-narrow">${workspace ? workspace.slug : html`<span class="muted">Personal</span>`}</td>
<td>${statusBadge(app)}</td>
<td class="actions-cell">${actionMenu(app, csrf, 'list')}</td>
</tr>
`
}

function statusBadge(app: App): SafeHtml {
  return app.disabledAt === null ? html`<span class="badge ok">Active</span>` : html`<span class="badge danger">Disabled</span>`
}

/** The "…" menu: plain links and form posts, so it works without JavaScript. */
function actionMenu(app: App, csrf: string, from: 'list' | 'consumer'): SafeHtml {
  return html`<details class="menu">
<summary aria-label="Actions for ${app.name}"><span aria-hidden="true">…</span></summary>
<div class="menu-items">
${from === 'list' ? html`<a href="${consumerPath(app.clientId)}">View</a>\n` : ''}<a href="${consumerPath(app.clientId, 'edit')}">Edit</a>
${app.isPublic ? '' : rotateForm(app, csrf, 'Rotate secret')}
${stateForm(app, csrf, app.disabledAt === null ? 'disable' : 'enable', from)}
${stateForm(app, csrf, 'delete', from)}
</div>
</details>`
}

function rotateForm(app: App, csrf: string, label: string, buttonClass = ''): SafeHtml {
  return html`<form method="post" action="${consumerPath(app.clientId, 'rotate-secret')}" data-confirm="Make a new secret for ${app.name}? The current one keeps working for a while, so you can update your deployment.">
${csrfField(csrf)}<button type="submit"${buttonClass ? html` class="${buttonClass}"` : ''}>${label}</button>
</form>`
}

const CONFIRM = {
  disable: (name: string) => `Disable ${name}? Its tokens stop working at once, and it cannot get new ones until you enable it.`,
  delete: (name: string) => `Delete ${name}? Its tokens stop working at once. This cannot be undone.`,
} as const

function stateForm(app: App, csrf: string, action: 'disable' | 'enable' | 'delete', from: 'list' | 'consumer', buttonClass?: string): SafeHtml {
  const label = { disable: 'Disable', enable: 'Enable', delete: 'Delete' }[action]
  const confirm = action === 'enable' ? undefined : CONFIRM[action](app.name)
  const itemClass = buttonClass ?? (action === 'enable' ? '' : 'danger-item')
  return html`<form method="post" action="${consumerPath(app.clientId, action)}"${confirm ? html` data-confirm="${confirm}"` : ''}>
${csrfField(csrf)}<input type="hidden" name="return_to" value="${from}"><button type="submit"${itemClass ? html` class="${itemClass}"` : ''}>${label}${action === 'enable' || buttonClass ? '' : html`<span class="visually-hidden"> ${app.name}</span>`}</button>
</form>`
}

// ---------------------------------------------------------------- form

export interface FormPageInput {
  mode: 'new' | 'edit'
  values: ConsumerFormValues
  error?: FormError
  catalogue: readonly ScopeDefinition[]
  workspaces: WorkspaceRef[]
  csrf: string
  /** The consumer being edited. */
  app?: App
}

export function formPage(input: FormPageInput): SettingsPage {
  const { mode, values, error, app } = input
  const action = mode === 'new' ? `${CONSUMERS_PATH}/new` : consumerPath(app!.clientId, 'edit')
  const cancel = mode === 'new' ? CONSUMERS_PATH : consumerPath(app!.clientId)
  const body = html`${error ? html`<p class="notice error" role="alert">${error.field === 'form' ? error.message : 'The consumer was not saved: fix the field marked below.'}</p>` : ''}
<form class="stack consumer-form" method="post" action="${action}" novalidate>
${csrfField(input.csrf)}
<section class="form-section" aria-labelledby="details-heading">
<h2 id="details-heading">Details</h2>
${textField({ id: 'name', label: 'Name', value: values.name, error, required: true, hint: 'People see it when they allow the consumer access.', autocomplete: 'off' })}
${textareaField({ id: 'description', label: 'Description', value: values.description, error, hint: 'Optional. What the consumer does, shown beside its name.', rows: 3 })}
${textField({ id: 'homepage_url', label: 'URL', value: values.homepageUrl, error, type: 'url', hint: 'Optional. Where people can learn more about the consumer.', placeholder: 'https://example.com' })}
${input.workspaces.length > 0 ? workspaceField(values.workspaceId, input.workspaces, error) : ''}
</section>
<section class="form-section" aria-labelledby="auth-heading">
<h2 id="auth-heading">Authorization</h2>
${textareaField({
  id: 'redirect_uris',
  label: 'Callback URLs',
  value: values.redirectUris,
  error,
  rows: 3,
  mono: true,
  hint: html`One per line. After someone allows access, Gatehouse sends them back to one of these (the <em>redirect URI</em>) with a code. They must match exactly; use <code>https://</code>, or <code>http://127.0.0.1</code> with any port for an app on the person's own computer.`,
  placeholder: 'https://example.com/oauth/callback',
})}
${privateField(mode, values.isPrivate)}
</section>
${permissionsField(input.catalogue, values.scopes, error)}
${mode === 'edit' ? reconsentField(values.reconsentGraceDays) : ''}
<div class="form-actions">
<button type="submit" class="primary">${mode === 'new' ? 'Add consumer' : 'Save changes'}</button>
<a class="button secondary" href="${cancel}">Cancel</a>
</div>
</form>`
  return mode === 'new'
    ? { title: 'Add consumer', lead: WHAT_A_CONSUMER_IS, body, status: error ? 400 : 200 }
    : { title: `Edit ${app!.name}`, lead: html`Key <code>${app!.clientId}</code>`, body, status: error ? 400 : 200 }
}

interface FieldInput {
  id: Exclude<ConsumerFormField, 'form' | 'scope' | 'workspace'>
  label: string
  value: string
  error?: FormError
  hint?: string | SafeHtml
  required?: boolean
  type?: 'text' | 'url'
  placeholder?: string
  autocomplete?: string
}

/** The label, hint and error above the control; the control points at both (aria-describedby). */
function fieldParts(id: string, label: string, hint: string | SafeHtml | undefined, error: FormError | undefined, required = false) {
  const message = error?.field === id ? error.message : undefined
  const describedBy = [hint ? `${id}-hint` : '', message ? `${id}-error` : ''].filter(Boolean).join(' ')
  const head = html`<label for="${id}">${label}${required ? '' : html` <span class="optional-mark">(optional)</span>`}</label>
${hint ? html`<span class="hint" id="${id}-hint">${hint}</span>` : ''}
${message ? html`<span class="field-error" id="${id}-error">${message}</span>` : ''}`
  const attributes = html`${describedBy ? html` aria-describedby="${describedBy}"` : ''}${message ? html` aria-invalid="true"` : ''}`
  return { head, attributes, invalid: message !== undefined }
}

function textField(f: FieldInput): SafeHtml {
  const { head, attributes, invalid } = fieldParts(f.id, f.label, f.hint, f.error, f.required)
  return html`<div class="field${invalid ? ' invalid' : ''}">
${head}
<input type="${f.type ?? 'text'}" id="${f.id}" name="${f.id}" value="${f.value}"${f.required ? html` required` : ''}${f.placeholder ? html` placeholder="${f.placeholder}"` : ''}${f.autocomplete ? html` autocomplete="${f.autocomplete}"` : ''}${attributes}>
</div>`
}

function textareaField(f: Omit<FieldInput, 'type'> & { rows: number; mono?: boolean }): SafeHtml {
  const { head, attributes, invalid } = fieldParts(f.id, f.label, f.hint, f.error, f.required)
  return html`<div class="field${invalid ? ' invalid' : ''}">
${head}
<textarea id="${f.id}" name="${f.id}" rows="${f.rows}"${f.mono ? html` class="mono"` : ''}${f.placeholder ? html` placeholder="${f.placeholder}"` : ''}${attributes}>${f.value}</textarea>
</div>`
}

function workspaceField(selected: string, workspaces: WorkspaceRef[], error: FormError | undefined): SafeHtml {
  const { head, attributes, invalid } = fieldParts('workspace', 'Workspace', 'Owners of the workspace can manage the consumer with you.', error, true)
  return html`<div class="field${invalid ? ' invalid' : ''}">
${head}
<select id="workspace" name="workspace"${attributes}>
<option value=""${selected === '' ? html` selected` : ''}>Personal (only you)</option>
${workspaces.map((w) => html`<option value="${w.id}"${w.id === selected ? html` selected` : ''}>${w.name} (${w.slug})</option>\n`)}</select>
</div>`
}

function privateField(mode: 'new' | 'edit', isPrivate: boolean): SafeHtml {
  const hint = mode === 'new'
    ? 'For an app on a server, which can keep a secret: it gets a Secret and may also use client credentials, acting as you. Leave it unticked for an app in a browser or on a device, which proves itself with PKCE instead.'
    : `This consumer is ${isPrivate ? 'private' : 'public'}. That cannot change once a consumer is made; add a new consumer instead.`
  return html`<div class="field">
<label class="checkbox"><input type="checkbox" name="is_private" id="is_private" aria-describedby="is_private-hint"${isPrivate ? html` checked` : ''}${mode === 'edit' ? html` disabled` : ''}><span>This is a private consumer<span class="hint" id="is_private-hint">${hint}</span></span></label>
</div>`
}

/** Write, delete and admin scopes are marked apart from read ones. */
type AccessLevel = 'read' | 'write' | 'delete' | 'admin'

interface PermissionGroup {
  resource: string
  /** Set on the group of classic scopes: the day they are deprecated, if they share one. */
  classic?: { deprecatedOn: string | undefined }
  scopes: (ScopeDefinition & { level: AccessLevel })[]
}

const LEVELS: readonly string[] = ['read', 'write', 'delete', 'admin']

/**
 * Granular scopes grouped by resource (`write:issue-comment` → issue comment), in catalogue order; classic
 * scopes (`repository:write`) last, in a group of their own, so a vendor picks the granular ones first.
 */
export function permissionGroups(catalogue: readonly ScopeDefinition[]): PermissionGroup[] {
  const groups = new Map<string, PermissionGroup>()
  const classic: PermissionGroup = { resource: 'classic', classic: { deprecatedOn: undefined }, scopes: [] }
  for (const scope of catalogue) {
    if (scope.replacedBy !== undefined) {
      const qualifier = scope.name.split(':', 2)[1]
      classic.scopes.push({ ...scope, level: LEVELS.includes(qualifier) ? (qualifier as AccessLevel) : 'read' })
      classic.classic!.deprecatedOn ??= scope.deprecatedOn
      continue
    }
    const [first, rest] = scope.name.split(':', 2)
    // `action:resource` (granular), else `resource[:level]` as APIs without a catalogue file name them.
    const [resource, level] = rest !== undefined && LEVELS.includes(first) ? [rest, first] : [first, rest]
    if (!groups.has(resource)) groups.set(resource, { resource, scopes: [] })
    groups.get(resource)!.scopes.push({ ...scope, level: LEVELS.includes(level) ? (level as AccessLevel) : 'read' })
  }
  return classic.scopes.length > 0 ? [...groups.values(), classic] : [...groups.values()]
}

function levelBadge(level: AccessLevel): SafeHtml {
  const kind = level === 'read' ? '' : level === 'write' ? ' warn' : ' danger'
  return html`<span class="badge level${kind}">${level[0].toUpperCase()}${level.slice(1)}</span>`
}

function resourceLabel(resource: string): string {
  return resource.charAt(0).toUpperCase() + resource.slice(1).replace(/[_-]/g, ' ')
}

function permissionsField(catalogue: readonly ScopeDefinition[], chosen: string[], error: FormError | undefined): SafeHtml {
  const message = error?.field === 'scope' ? error.message : undefined
  const selected = new Set(chosen)
  return html`<fieldset class="permissions form-section"${message ? html` aria-describedby="scope-error"` : ''}>
<legend><span class="legend-title">Permissions</span><span class="hint">The most the consumer may ask for. People see each one when they allow access, and the consumer gets no more than it asks for.</span></legend>
${message ? html`<span class="field-error" id="scope-error">${message}</span>` : ''}
<div class="permission-groups">
${permissionGroups(catalogue).map((group) => html`<fieldset class="permission-group${group.classic ? ' classic' : ''}">
<legend>${group.classic ? html`Classic scopes <span class="hint">Deprecated${group.classic.deprecatedOn ? ` on ${group.classic.deprecatedOn}` : ''}: choose the granular ones above. See <a href="/docs/scopes">the scope reference</a>.</span>` : resourceLabel(group.resource)}</legend>
${group.scopes.map((scope) => html`<label class="checkbox permission"><input type="checkbox" name="scope" value="${scope.name}"${selected.has(scope.name) ? html` checked` : ''}><span><span class="permission-text">${scope.description}</span> <span class="permission-meta"><code>${scope.name}</code> ${levelBadge(scope.level)}</span></span></label>\n`)}</fieldset>
`)}</div>
</fieldset>`
}

// ---------------------------------------------------------------- created, rotated

export function createdPage(app: App, clientSecret: string | undefined): SettingsPage {
  const body = html`${clientSecret
    ? html`<p class="notice warn" role="status"><strong>Copy the secret now.</strong> It will not be shown again. If you lose it, rotate the secret to get a new one.</p>`
    : html`<p class="notice success" role="status">${app.name} is a public consumer: it has no secret, and proves itself with PKCE when it asks for tokens.</p>`}
<section class="panel" aria-labelledby="credentials-heading">
<h2 id="credentials-heading">Credentials</h2>
${credentialField('key', 'Key', app.clientId, 'The client_id. Not a secret: it is part of every authorization request.')}
${clientSecret ? credentialField('secret', 'Secret', clientSecret, 'The client_secret. Keep it on your server only, like a password.') : ''}
</section>
<div class="form-actions">
<a class="button primary" href="${consumerPath(app.clientId)}">Go to ${app.name}</a>
<a class="button secondary" href="${CONSUMERS_PATH}">Back to OAuth consumers</a>
</div>`
  return { title: 'Consumer added', lead: html`<span class="app-name">${app.name}</span> is ready to use.`, body }
}

export function secretRotatedPage(app: App, clientSecret: string, previousSecretsExpireAt: number, now: number): SettingsPage {
  const overlap = previousSecretsExpireAt > now
    ? html`The previous secret keeps working until ${timeElement(previousSecretsExpireAt, true)}, so you can move your deployment over. After that only the new one works.`
    : html`The previous secret no longer works, and tokens got with it through client credentials are revoked.`
  const body = html`<p class="notice warn" role="status"><strong>Copy the new secret now.</strong> It will not be shown again.</p>
<section class="panel" aria-labelledby="credentials-heading">
<h2 id="credentials-heading">New secret</h2>
${credentialField('secret', 'Secret', clientSecret, overlap)}
</section>
<div class="form-actions">
<a class="button primary" href="${consumerPath(app.clientId)}">Back to ${app.name}</a>
</div>`
  return { title: 'New secret', lead: html`For <span class="app-name">${app.name}</span> (key <code>${app.clientId}</code>)`, body }
}

function credentialField(id: string, label: string, value: string, hint: string | SafeHtml): SafeHtml {
  return html`<div class="field credential">
<label for="${id}">${label}</label>
<div class="secret"><input type="text" id="${id}" value="${value}" readonly spellcheck="false" autocomplete="off" aria-describedby="${id}-hint"><button type="button" class="copy secondary small" data-copy="${id}" hidden>Copy</button></div>
<span class="hint" id="${id}-hint">${hint}</span>
</div>`
}

// ---------------------------------------------------------------- consumer page

export function consumerPage(consumer: ConsumerRow, catalogue: readonly ScopeDefinition[], csrf: string, notice?: string, reconsent: ReconsentProgress = [], usage?: ScopeUsageReport): SettingsPage {
  const { app, workspace, ownerUsername } = consumer
  const body = html`${flash(notice)}${app.disabledAt !== null ? html`<p class="notice warn">This consumer is disabled since ${timeElement(app.disabledAt)}: it cannot sign anyone in or get tokens. Enable it to use it again; tokens from before stay revoked.</p>` : ''}
<section class="panel" aria-labelledby="credentials-heading">
<h2 id="credentials-heading">Credentials</h2>
<dl class="facts">
<dt>Key</dt>
<dd><code id="consumer-key">${app.clientId}</code> <button type="button" class="copy secondary small" data-copy="consumer-key" hidden>Copy</button></dd>
<dt>Secret</dt>
<dd>${app.isPublic
    ? html`<span class="muted">None: a public consumer proves itself with PKCE.</span>`
    : html`<span class="muted">Hidden. It was shown once, when it was made; rotate it to get a new one.</span>${rotateForm(app, csrf, 'Rotate secret', 'secondary small inline-action')}`}</dd>
</dl>
</section>
<section class="panel" aria-labelledby="settings-heading">
<div class="panel-header"><h2 id="settings-heading">Settings</h2><a class="button secondary small" href="${consumerPath(app.clientId, 'edit')}">Edit<span class="visually-hidden"> settings</span></a></div>
<dl class="facts">
<dt>Status</dt><dd>${statusBadge(app)}</dd>
<dt>Type</dt><dd>${app.isPublic ? 'Public (PKCE, no secret)' : 'Private (has a secret; may use client credentials)'}</dd>
<dt>Callback URLs</dt><dd>${app.redirectUris.length === 0 ? html`<span class="muted">None</span>` : html`<ul class="plain">${app.redirectUris.map((uri) => html`<li><code>${uri}</code></li>`)}</ul>`}</dd>
<dt>URL</dt><dd>${app.homepageUrl ? html`<a href="${app.homepageUrl}" rel="noopener noreferrer">${app.homepageUrl}</a>` : html`<span class="muted">None</span>`}</dd>
<dt>Workspace</dt><dd>${workspace ? html`${workspace.name} <span class="muted">(${workspace.slug})</span>` : html`<span class="muted">Personal</span>`}</dd>
<dt>Owner</dt><dd>${ownerUsername ?? html`<span class="muted">None</span>`}</dd>
<dt>Created</dt><dd>${timeElement(app.createdAt)}</dd>
<dt>Last changed</dt><dd>${timeElement(app.updatedAt)}</dd>
</dl>
</section>
<section class="panel" aria-labelledby="permissions-heading">
<h2 id="permissions-heading">Permissions</h2>
${permissionList(app.scopes, catalogue)}
</section>
${usage ? scopeUsageSection(usage, 'panel') : ''}
${reconsentProgressSection(reconsent, 'panel')}
<section class="panel danger" aria-labelledby="danger-heading">
<h2 id="danger-heading">Danger zone</h2>
<div class="danger-row">
<div><strong>${app.disabledAt === null ? 'Disable this consumer' : 'Enable this consumer'}</strong><p class="muted">${app.disabledAt === null
    ? 'Its tokens stop working at once and it cannot get new ones. You can enable it again later.'
    : 'It can sign people in and get tokens again. Tokens from before it was disabled stay revoked.'}</p></div>
${stateForm(app, csrf, app.disabledAt === null ? 'disable' : 'enable', 'consumer', app.disabledAt === null ? 'danger-button small' : 'secondary small')}
</div>
<div class="danger-row">
<div><strong>Delete this consumer</strong><p class="muted">Its key and secrets stop working and its tokens are revoked. This cannot be undone.</p></div>
${stateForm(app, csrf, 'delete', 'consumer', 'danger-button small')}
</div>
</section>`
  return {
    title: app.name,
    lead: app.description || (app.isPublic ? 'Public consumer' : 'Private consumer'),
    actions: html`<a class="button secondary small" href="${consumerPath(app.clientId, 'edit')}">Edit</a>${actionMenu(app, csrf, 'consumer')}`,
    body,
  }
}

function permissionList(scopes: string[], catalogue: readonly ScopeDefinition[]): SafeHtml {
  if (scopes.length === 0) return html`<p class="muted">None. The consumer cannot ask for access to anything until you give it permissions.</p>`
  const granted = new Set(scopes)
  const defined = permissionGroups(catalogue).flatMap((g) => g.scopes).filter((s) => granted.has(s.name))
  const undefinedScopes = scopes.filter((name) => !catalogue.some((s) => s.name === name))
  return html`<ul class="scopes permission-list">
${defined.map((s) => html`<li><span>${s.description}</span><span class="permission-meta"><code>${s.name}</code> ${levelBadge(s.level)}</span></li>\n`)}${undefinedScopes.map((name) => html`<li><span class="muted">No longer defined by the API</span><span class="permission-meta"><code>${name}</code></span></li>\n`)}</ul>`
}

const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
const DATE_TIME = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' })

function timeElement(ms: number, withTime = false): SafeHtml {
  const date = new Date(ms)
  return html`<time datetime="${date.toISOString()}">${withTime ? `${DATE_TIME.format(date)} UTC` : DATE.format(date)}</time>`
}

/** What happens to people's approvals when the edit adds permissions (the consent rule): end now, or a grace period. */
function reconsentField(selected: string): SafeHtml {
  const options: [string, string][] = [['0', 'End them now and ask again'], ['7', 'Keep them 7 days'], ['14', 'Keep them 14 days'], ['30', 'Keep them 30 days']]
  return html`<section class="form-section" aria-labelledby="reconsent-heading">
<h2 id="reconsent-heading">If you add permissions</h2>
<div class="field"><label for="reconsent_grace">Approvals people gave for fewer permissions</label>
<select id="reconsent_grace" name="reconsent_grace" aria-describedby="reconsent_grace-hint">${options.map(([value, label]) => html`<option value="${value}"${value === selected ? html` selected` : ''}>${label}</option>`)}</select>
<p class="hint" id="reconsent_grace-hint">During a grace period their approvals keep working with the old permissions only, and they are asked for the new ones the next time they use the consumer; approvals not renewed end when it is over. Removing permissions ends nothing.</p></div>
</section>`
}
