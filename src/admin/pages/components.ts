import { csrfField, html, type SafeHtml } from '../../web/index.js'
import type { ListState } from '../admin.schemas.js'

/** What a console page gives `sendSettingsPage`. */
export interface ConsolePage {
  title: string
  lead?: string | SafeHtml
  actions?: SafeHtml
  body: SafeHtml
}

/** Rows per page of every console list. */
export const PAGE_SIZE = 25

export function listWindow(page: number | undefined): { limit: number; offset: number } {
  return { limit: PAGE_SIZE, offset: ((page ?? 1) - 1) * PAGE_SIZE }
}

/** A list page's address with its search, page and notice, leaving out what is empty or the default. */
export function listUrl(path: string, params: ListState & { done?: string; name?: string }): string {
  const query = new URLSearchParams()
  if (params.q) query.set('q', params.q)
  if (params.page && params.page > 1) query.set('page', String(params.page))
  if (params.done) query.set('done', params.done)
  if (params.name) query.set('name', params.name)
  const search = query.toString()
  return search ? `${path}?${search}` : path
}

const DATE = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
const DATE_TIME = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })

/** "23 Nov 2026", with the exact instant for machines and on hover. */
export function dateOf(epochMs: number): SafeHtml {
  const instant = new Date(epochMs)
  return html`<time datetime="${instant.toISOString()}" title="${DATE_TIME.format(instant)} UTC">${DATE.format(instant)}</time>`
}

export function searchForm(input: { path: string; q: string | undefined; label: string; placeholder: string }): SafeHtml {
  return html`<form class="list-search" method="get" action="${input.path}" role="search">
<label for="list-search" class="visually-hidden">${input.label}</label>
<input type="search" id="list-search" name="q" value="${input.q ?? ''}" placeholder="${input.placeholder}" maxlength="200">
<button type="submit" class="secondary small">Search</button>
${input.q ? html`<a href="${input.path}">Clear</a>` : ''}
</form>`
}

/** "1–25 of 60" and links to the pages either side; nothing when everything fits on one page. */
export function pagination(input: { path: string; state: ListState; total: number; noun: string }): SafeHtml {
  const page = input.state.page ?? 1
  const first = (page - 1) * PAGE_SIZE + 1
  const last = Math.min(page * PAGE_SIZE, input.total)
  if (page === 1 && input.total <= PAGE_SIZE) return html`<p class="list-count muted">${countOf(input.total, input.noun)}</p>`
  const link = (to: number, label: string, rel: string) => html`<a class="button secondary small" rel="${rel}" href="${listUrl(input.path, { ...input.state, page: to })}">${label}</a>`
  return html`<nav class="pagination" aria-label="Pages">
<p class="muted">${first <= last ? `${first}–${last} of ${input.total}` : `Page ${page} of ${Math.max(1, Math.ceil(input.total / PAGE_SIZE))}`}</p>
<div class="pagination-links">
${page > 1 ? link(Math.min(page - 1, Math.max(1, Math.ceil(input.total / PAGE_SIZE))), 'Previous', 'prev') : ''}
${last < input.total ? link(page + 1, 'Next', 'next') : ''}
</div>
</nav>`
}

export function countOf(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

export interface MenuItem {
  /** Where the form posts. */
  action: string
  label: string
  danger?: boolean
  /** Asked before posting (`form[data-confirm]`). */
  confirm?: string
}

/**
 * A row's actions: a no-JS menu of one-button forms, each with the CSRF token and the list's state,
 * so the list comes back as it was. `note` says why something is missing from it.
 */
export function actionMenu(input: { subject: string; csrfToken: string; state: ListState; items: MenuItem[]; note?: string }): SafeHtml {
  return html`<details class="menu">
<summary>Actions<span class="visually-hidden"> for ${input.subject}</span></summary>
<div class="menu-items">
${input.items.map(
  (item) => html`<form method="post" action="${item.action}"${item.confirm ? html` data-confirm="${item.confirm}"` : ''}>
${csrfField(input.csrfToken)}${stateFields(input.state)}
<button type="submit"${item.danger ? html` class="danger-item"` : ''}>${item.label}</button>
</form>
`,
)}${input.note ? html`<p class="menu-note">${input.note}</p>` : ''}
</div>
</details>`
}

export function stateFields(state: ListState): SafeHtml {
  return html`${state.q ? html`<input type="hidden" name="q" value="${state.q}">` : ''}${state.page && state.page > 1 ? html`<input type="hidden" name="page" value="${String(state.page)}">` : ''}`
}

/** A dash in a table cell with nothing to show, read out as `label`. */
export function nothing(label: string): SafeHtml {
  return html`<span class="muted" aria-hidden="true">—</span><span class="visually-hidden">${label}</span>`
}

export function statusBadge(disabledAt: number | null): SafeHtml {
  return disabledAt === null ? html`<span class="badge ok">Active</span>` : html`<span class="badge danger">Disabled</span>`
}

/** An administrator verified the app (the consent page says so), or not. */
export function verification(verifiedAt: number | null): SafeHtml {
  if (verifiedAt === null) return html`<span class="badge unverified">Unverified</span>`
  return html`<span class="badge verified" title="Verified on ${new Date(verifiedAt).toISOString().slice(0, 10)}">Verified</span>`
}

/** A list with nothing in it: why, and the way out (an empty search, a page past the end). */
export function emptyList(input: { path: string; state: ListState; total: number; noun: string; none: string }): SafeHtml {
  if (input.state.q) return html`<div class="panel empty"><p>No ${input.noun}s match “${input.state.q}”.</p><p><a href="${input.path}">Show all ${input.noun}s</a></p></div>`
  if (input.total > 0) return html`<div class="panel empty"><p>There are only ${countOf(input.total, input.noun)}.</p><p><a href="${input.path}">Go to the first page</a></p></div>`
  return html`<div class="panel empty"><p>${input.none}</p></div>`
}
