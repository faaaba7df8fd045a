import { html, layout, type HeaderAccount, type SafeHtml } from '../web/index.js'
import { fragment, scopeAnchor, type Access, type Acceptance, type OperationEntry, type OperationGroup, type Prose, type ScopeEntry, type ScopeReference } from './reference-model.js'

export const REFERENCE_TITLE = 'Scope reference'

/** The page's main content: the same for everyone, so rendered once. */
export function referenceContent(reference: ScopeReference): SafeHtml {
  return html`<div class="home">
<div class="page-header">
<div>
<p class="eyebrow">API reference</p>
<h1 id="title">${REFERENCE_TITLE}</h1>
<p class="lead">The scopes an app asks for, and which of them each operation of the API needs.</p>
</div>
</div>
<section class="panel" aria-labelledby="rules">
<h2 id="rules">How scope requirements work</h2>
${reference.introduction.map((paragraph) => html`<p>${prose(paragraph)}</p>\n`)}</section>
<nav class="panel" aria-labelledby="contents">
<h2 id="contents">On this page</h2>
<ul class="bare inline">
${reference.groups.map((group) => html`<li><a href="${fragment(group.anchor)}">${group.name}</a></li>\n`)}<li><a href="#granular-scopes">Granular scopes</a></li>
${reference.classic.length > 0 ? html`<li><a href="#classic-scopes">Classic scopes</a></li>\n` : ''}</ul>
</nav>
<section aria-labelledby="operations">
<h2 id="operations">Operations</h2>
${reference.groups.map(operationTable)}</section>
<section aria-labelledby="granular-scopes">
<h2 id="granular-scopes">Granular scopes</h2>
<p class="muted">The scopes to ask for: each lets an app do one kind of thing.</p>
${scopeList(reference.granular)}
</section>
${reference.classic.length > 0 ? html`<section aria-labelledby="classic-scopes">
<h2 id="classic-scopes">Classic scopes</h2>
<p class="muted">The coarse scopes apps used first. Each stands for the granular scopes listed with it: ask for those instead.</p>
${scopeList(reference.classic)}
</section>
` : ''}</div>`
}

export function referencePage(content: SafeHtml, account: HeaderAccount | undefined): string {
  return layout(REFERENCE_TITLE, content, account, { wide: true })
}

function operationTable(group: OperationGroup): SafeHtml {
  return html`<section aria-labelledby="${group.anchor}">
<h3 id="${group.anchor}">${group.name}</h3>
<div class="table-wrap">
<table>
<thead><tr><th scope="col">Operation</th><th scope="col">Scopes needed</th></tr></thead>
<tbody>
${group.operations.map((operation) => html`<tr id="${operation.anchor}"><th scope="row" class="cell-name">${endpoint(operation)}${operation.summary ? html`<span class="cell-detail">${operation.summary}</span>` : ''}</th><td>${requirements(operation.access)}</td></tr>\n`)}</tbody>
</table>
</div>
</section>
`
}

/** Method and path; the path may break after each "/" on a narrow screen, rather than inside a name. */
function endpoint(operation: OperationEntry): SafeHtml {
  return html`<code><strong>${operation.method}</strong> ${operation.path.split('/').map((segment, i) => html`${i > 0 ? html`/<wbr>` : ''}${segment}`)}</code>`
}

function requirements(access: Access): SafeHtml {
  if (access.kind === 'public') return html`No scopes required <span class="hint">(no token)</span>`
  if (access.kind === 'any-token') return html`Any valid token; no scope required`
  return html`<ul class="bare">
${access.alternatives.map((alternative, i) => html`<li>${i > 0 ? html`<span class="hint">or</span> ` : ''}${alternative.scopes.map((scope, j) => html`${j > 0 ? html` <strong>and</strong> ` : ''}${scopeLink(scope)}`)}${alternative.classic ? classicMark(alternative.deprecatedOn) : ''}</li>\n`)}</ul>`
}

/** Under the classic alternative, in small print; the date kept whole (it would break at a hyphen on a phone). */
function classicMark(deprecatedOn: string | undefined): SafeHtml {
  return html`<span class="cell-detail">classic${deprecatedOn ? html`, deprecated on <code><time datetime="${deprecatedOn}">${deprecatedOn}</time></code>` : ''}</span>`
}

function scopeList(entries: readonly ScopeEntry[]): SafeHtml {
  return html`<ul class="decision-list">
${entries.map((entry) => html`<li class="panel" id="${entry.anchor}">
<div class="decision-head"><div class="decision-title"><h3><code><strong>${entry.name}</strong></code></h3></div>${entry.deprecatedOn ? html`<span class="badge warn">Deprecated on ${entry.deprecatedOn}</span>` : ''}</div>
<p>${entry.description}</p>
${entry.replacedBy.length > 0 ? html`<p>Replaced by ${list(entry.replacedBy.map(scopeLink))}.</p>\n` : ''}${entry.replaces.length > 0 ? html`<p class="muted">Takes over from the classic ${list(entry.replaces.map(scopeLink))}.</p>\n` : ''}${acceptedBy(entry.acceptedBy)}
</li>
`)}</ul>`
}

function acceptedBy(acceptances: readonly Acceptance[]): SafeHtml {
  if (acceptances.length === 0) return html`<p class="muted">No operation of this API accepts it.</p>`
  return html`<p class="decision-scopes-label">Accepted by</p>
<ul class="bare">
${acceptances.map(({ operation, together }) => html`<li><a href="${fragment(operation.anchor)}">${endpoint(operation)}</a>${together.length > 0 ? html` <span class="hint">with ${list(together.map(scopeLink), 'and')}</span>` : ''}</li>\n`)}</ul>`
}

function scopeLink(name: string): SafeHtml {
  return html`<a href="${fragment(scopeAnchor(name))}"><code>${name}</code></a>`
}

/** `a`, `a and b`, `a, b and c`. */
function list(items: readonly SafeHtml[], word = 'and'): SafeHtml {
  return html`${items.map((item, i) => html`${i === 0 ? '' : i === items.length - 1 ? ` ${word} ` : ', '}${item}`)}`
}

function prose(paragraph: Prose): SafeHtml {
  return html`${paragraph.map((part) => (typeof part === 'string' ? part : html`<code>${part.code}</code>`))}`
}
