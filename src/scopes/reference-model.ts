import { compileRequirements } from '../domain/scope-requirements.js'
import type { ScopeCatalogue } from '../domain/scopes.js'
import { API_BASE_PATH, type ApiDescription, type ApiOperation } from '../gateway/api-description.js'

/**
 * What the scope reference says, built once from the API description; the page (reference.page.ts) and
 * the Markdown (reference-markdown.ts) only write it out, so they cannot disagree.
 */
export interface ScopeReference {
  /** The rules, in a few paragraphs, before anything else. */
  introduction: Prose[]
  groups: OperationGroup[]
  granular: ScopeEntry[]
  classic: ScopeEntry[]
}

/** A paragraph: text and code, in order. */
export type Prose = readonly (string | { code: string })[]

/** The operations of one OpenAPI tag (or, untagged, of one first path segment), in document order. */
export interface OperationGroup {
  name: string
  anchor: string
  operations: OperationEntry[]
}

export interface OperationEntry {
  operationId: string
  anchor: string
  method: string
  /** With the API's base path: `/2.0/repositories/{workspace}`. */
  path: string
  summary: string | undefined
  access: Access
}

/** `public`: no token at all; `any-token`: a valid token, no scope; `scopes`: every scope of one alternative. */
export type Access = { kind: 'public' } | { kind: 'any-token' } | { kind: 'scopes'; alternatives: Alternative[] }

/** One security requirement: all of its scopes are needed. Granular alternatives come first, as the gate tries them. */
export interface Alternative {
  scopes: string[]
  /** It names a classic scope. */
  classic: boolean
  /** The earliest deprecation day of its classic scopes (YYYY-MM-DD); undefined when none has one. */
  deprecatedOn: string | undefined
}

export interface ScopeEntry {
  name: string
  anchor: string
  description: string
  classic: boolean
  /** A classic scope's granular replacements; empty for a granular one. */
  replacedBy: string[]
  deprecatedOn: string | undefined
  /** For a granular scope, the classic scopes it takes over from (in part); empty for a classic one. */
  replaces: string[]
  /** The operations a token holding it may call, with what else the same requirement needs. */
  acceptedBy: Acceptance[]
}

export interface Acceptance {
  operation: OperationEntry
  /** The other scopes of the requirement it is part of; empty when it is enough alone. */
  together: string[]
}

/** The anchor of a scope on the page (`#scope-read:repository`): an id needs no more than "no spaces", which scope names already are. */
export function scopeAnchor(name: string): string {
  return `scope-${name}`
}

/** An anchor as a URL fragment: `#scope-read:repository`, with anything a fragment may not hold (`%`, `#`, `^`…) percent-encoded. */
export function fragment(anchor: string): string {
  return `#${anchor.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/?]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}`
}

export function scopeReference(api: Pick<ApiDescription, 'scopes' | 'operations' | 'document'>): ScopeReference {
  const groups = operationGroups(api)
  const operations = groups.flatMap((group) => group.operations)
  const entries = api.scopes.map((definition): ScopeEntry => {
    const classic = definition.replacedBy !== undefined
    return {
      name: definition.name,
      anchor: scopeAnchor(definition.name),
      description: definition.description,
      classic,
      replacedBy: [...(definition.replacedBy ?? [])],
      deprecatedOn: definition.deprecatedOn,
      replaces: classic ? [] : api.scopes.filter((other) => other.replacedBy?.includes(definition.name)).map((other) => other.name),
      acceptedBy: acceptances(definition.name, operations),
    }
  })
  return {
    introduction: introduction(operations, api.scopes),
    groups,
    granular: entries.filter((entry) => !entry.classic),
    classic: entries.filter((entry) => entry.classic),
  }
}

function operationGroups(api: Pick<ApiDescription, 'scopes' | 'operations' | 'document'>): OperationGroup[] {
  const byName = new Map<string, OperationEntry[]>()
  for (const name of declaredTags(api.document)) byName.set(name, [])
  for (const operation of api.operations) {
    const name = groupOf(operation, api.document)
    if (!byName.has(name)) byName.set(name, [])
    byName.get(name)!.push(operationEntry(operation, api.scopes))
  }
  const anchors = new Set<string>()
  return [...byName].filter(([, operations]) => operations.length > 0).map(([name, operations]) => ({ name, anchor: unique(`operations-${slug(name)}`, anchors), operations }))
}

function operationEntry(operation: ApiOperation, catalogue: ScopeCatalogue): OperationEntry {
  return {
    operationId: operation.operationId,
    anchor: `operation-${operation.operationId.replace(/\s+/g, '-')}`,
    method: operation.method,
    path: `${API_BASE_PATH}${operation.path}`,
    summary: operation.summary,
    access: access(operation.requirements, catalogue),
  }
}

function access(requirements: string[][] | null, catalogue: ScopeCatalogue): Access {
  if (requirements === null) return { kind: 'public' }
  // An empty requirement among others is met by any token, whatever the others ask.
  if (requirements.some((scopes) => scopes.length === 0)) return { kind: 'any-token' }
  const alternatives = compileRequirements(requirements, catalogue).map((requirement) => ({
    scopes: [...requirement.scopes],
    classic: requirement.classic,
    deprecatedOn: requirement.deprecatedAt === undefined ? undefined : new Date(requirement.deprecatedAt).toISOString().slice(0, 10),
  }))
  return { kind: 'scopes', alternatives }
}

function acceptances(scope: string, operations: readonly OperationEntry[]): Acceptance[] {
  const found: Acceptance[] = []
  for (const operation of operations) {
    if (operation.access.kind !== 'scopes') continue
    const alternative = operation.access.alternatives.find((a) => a.scopes.includes(scope))
    if (alternative) found.push({ operation, together: alternative.scopes.filter((s) => s !== scope) })
  }
  return found
}

/**
 * The rules a vendor asks about ("do I need all of them?"), with a real operation of this API as the
 * example where one needs two scopes together.
 */
function introduction(operations: readonly OperationEntry[], catalogue: ScopeCatalogue): Prose[] {
  const paragraphs: Prose[] = [
    [
      'Each operation lists one or more requirements. A token may call it when it holds every scope of at least one of them: scopes joined by "and" are all needed; requirements joined by "or" are alternatives, and one is enough.',
    ],
    [
      'Holding only some scopes of a requirement is not enough. The call is refused with ',
      { code: '403' },
      ' and ',
      { code: 'WWW-Authenticate: Bearer error="insufficient_scope", scope="…"' },
      ', which names the scopes of the requirement to meet; the error message says which of them the token lacks. Ask for those scopes in a new authorization.',
    ],
  ]
  const example = twoScopeExample(operations)
  if (example) {
    const [first, ...rest] = example.alternative.scopes
    paragraphs.push([
      'For example, ',
      { code: `${example.operation.method} ${example.operation.path}` },
      ' needs ',
      ...joined(example.alternative.scopes, 'and'),
      '. A token holding only ',
      { code: first },
      ' is refused (',
      { code: '403 insufficient_scope' },
      ') until it also holds ',
      ...joined(rest, 'and'),
      '.',
    ])
  }
  if (catalogue.some((definition) => definition.replacedBy !== undefined)) {
    paragraphs.push([
      'Classic scopes are the coarse ones apps used first; each stands for the granular scopes listed with it. From a classic scope\'s deprecation day, new authorizations may not ask for it, and tokens that still hold it are allowed, warned (a ',
      { code: 'Deprecation' },
      ' header) or refused, as the platform decides. Ask for the granular scopes instead.',
    ])
  }
  paragraphs.push([
    'A write scope does not include reading: an app that reads and writes issues asks for both. "No scopes required" means no token at all; "Any valid token" means a token is needed, but no particular scope.',
  ])
  return paragraphs
}

function twoScopeExample(operations: readonly OperationEntry[]): { operation: OperationEntry; alternative: Alternative } | undefined {
  for (const operation of operations) {
    if (operation.access.kind !== 'scopes') continue
    const alternative = operation.access.alternatives.find((a) => !a.classic && a.scopes.length >= 2)
    if (alternative) return { operation, alternative }
  }
  return undefined
}

/** `a`, `a and b`, `a, b and c`, with each scope as code. */
function joined(scopes: readonly string[], word: string): (string | { code: string })[] {
  return scopes.flatMap((scope, i) => [...(i === 0 ? [] : [i === scopes.length - 1 ? ` ${word} ` : ', ']), { code: scope }])
}

function declaredTags(document: Record<string, unknown>): string[] {
  const tags = document.tags
  if (!Array.isArray(tags)) return []
  return tags.map((tag) => (tag as { name?: unknown } | null)?.name).filter((name): name is string => typeof name === 'string' && name !== '')
}

/** The operation's first OpenAPI tag; untagged, its path's first segment. */
function groupOf(operation: ApiOperation, document: Record<string, unknown>): string {
  const item = (document.paths as Record<string, Record<string, { tags?: unknown }>> | undefined)?.[operation.path]
  const tags = item?.[operation.method.toLowerCase()]?.tags
  if (Array.isArray(tags) && typeof tags[0] === 'string' && tags[0] !== '') return tags[0]
  const segment = operation.path.split('/').find((part) => part !== '' && !part.startsWith('{'))
  return segment ?? 'Other'
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'group'
}

function unique(anchor: string, taken: Set<string>): string {
  let candidate = anchor
  for (let n = 2; taken.has(candidate); n++) candidate = `${anchor}-${n}`
  taken.add(candidate)
  return candidate
}
