import { html } from '../web/index.js'
import { fragment, scopeAnchor, type Access, type Acceptance, type OperationEntry, type OperationGroup, type Prose, type ScopeEntry, type ScopeReference } from './reference-model.js'
import { REFERENCE_TITLE } from './reference.page.js'

/** The scope reference as GitHub-flavoured Markdown, from the same model as the page, with the page's anchors. */
export function referenceMarkdown(reference: ScopeReference, generatedBy: string): string {
  const lines: string[] = [
    `<!-- ${generatedBy} Do not edit: a test fails when this file differs from what the generator writes. -->`,
    '',
    `# ${REFERENCE_TITLE}`,
    '',
    'The scopes an app asks for, and which of them each operation of the API needs. Gatehouse serves this reference as a page at `/docs/scopes`.',
    '',
    '## How scope requirements work',
    '',
    ...reference.introduction.flatMap((paragraph) => [prose(paragraph), '']),
    '## Operations',
    '',
    ...reference.groups.flatMap(operationTable),
    '## Granular scopes',
    '',
    'The scopes to ask for: each lets an app do one kind of thing.',
    '',
    ...reference.granular.flatMap(scopeSection),
  ]
  if (reference.classic.length > 0) {
    lines.push('## Classic scopes', '', 'The coarse scopes apps used first. Each stands for the granular scopes listed with it: ask for those instead.', '', ...reference.classic.flatMap(scopeSection))
  }
  while (lines.at(-1) === '') lines.pop()
  return `${lines.join('\n')}\n`
}

function operationTable(group: OperationGroup): string[] {
  return [
    `### ${anchor(group.anchor)}${text(group.name)}`,
    '',
    '| Operation | Scopes needed |',
    '| --- | --- |',
    ...group.operations.map((operation) => `| ${cell(`${anchor(operation.anchor)}${endpoint(operation)}${operation.summary ? `<br>${text(operation.summary)}` : ''}`)} | ${cell(requirements(operation.access))} |`),
    '',
  ]
}

function requirements(access: Access): string {
  if (access.kind === 'public') return 'No scopes required (no token)'
  if (access.kind === 'any-token') return 'Any valid token; no scope required'
  return access.alternatives
    .map((alternative, i) => {
      const scopes = alternative.scopes.map(scopeLink).join(' **and** ')
      const classic = alternative.classic ? ` _(classic${alternative.deprecatedOn ? `, deprecated on ${alternative.deprecatedOn}` : ''})_` : ''
      return `${i > 0 ? 'or ' : ''}${scopes}${classic}`
    })
    .join('<br>')
}

function scopeSection(entry: ScopeEntry): string[] {
  const lines = [`### ${anchor(entry.anchor)}${code(entry.name)}${entry.deprecatedOn ? ` (deprecated on ${entry.deprecatedOn})` : ''}`, '', text(entry.description), '']
  if (entry.replacedBy.length > 0) lines.push(`Replaced by ${list(entry.replacedBy.map(scopeLink))}.`, '')
  if (entry.replaces.length > 0) lines.push(`Takes over from the classic ${list(entry.replaces.map(scopeLink))}.`, '')
  lines.push(...acceptedBy(entry.acceptedBy), '')
  return lines
}

function acceptedBy(acceptances: readonly Acceptance[]): string[] {
  if (acceptances.length === 0) return ['No operation of this API accepts it.']
  return ['Accepted by:', '', ...acceptances.map(({ operation, together }) => `- ${link(endpoint(operation), operation.anchor)}${together.length > 0 ? ` with ${list(together.map(scopeLink))}` : ''}`)]
}

function endpoint(operation: OperationEntry): string {
  return code(`${operation.method} ${operation.path}`)
}

function scopeLink(name: string): string {
  return link(code(name), scopeAnchor(name))
}

function link(label: string, target: string): string {
  const destination = fragment(target)
  return `[${label}](${/[()]/.test(destination) ? `<${destination}>` : destination})`
}

/** An empty element carrying the page's id, so links written for the page work here too. */
function anchor(id: string): string {
  return html`<a id="${id}"></a>`.value
}

function list(items: readonly string[]): string {
  return items.map((item, i) => `${i === 0 ? '' : i === items.length - 1 ? ' and ' : ', '}${item}`).join('')
}

function prose(paragraph: Prose): string {
  return paragraph.map((part) => (typeof part === 'string' ? text(part) : code(part.code))).join('')
}

/** A code span that holds any backticks in it (CommonMark §6.1). */
function code(value: string): string {
  const longest = Math.max(0, ...[...value.matchAll(/`+/g)].map((m) => m[0].length))
  const fence = '`'.repeat(longest + 1)
  const pad = longest > 0 || value.startsWith(' ') ? ' ' : ''
  return `${fence}${pad}${value}${pad}${fence}`
}

/** Plain text: Markdown's punctuation and HTML's `<` and `&` escaped, and nothing at its start read as a heading or a list. */
function text(value: string): string {
  return value
    .replace(/[\\`*_[\]<>#]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/^([-+]|\d+[.)])(?=\s|$)/, (m) => `${m.slice(0, -1)}\\${m.slice(-1)}`)
}

/** A table cell: GitHub splits cells at every `|`, even inside code, unless it is escaped. */
function cell(value: string): string {
  return value.replace(/\|/g, '\\|')
}
