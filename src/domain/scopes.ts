/**
 * The scope policy: the one place scope strings are read, written and compared. The token endpoint,
 * the authorization request, registration and the gate all call it, so they cannot disagree.
 *
 * RFC 6749 §3.3, as Gatehouse applies it:
 * - a scope string is scope tokens separated by spaces; a token is one or more NQCHARs (%x21,
 *   %x23-5B, %x5D-7E: printable ASCII other than space, the double quote and the backslash).
 *   Any other character (a tab, a line break, a non-ASCII letter) makes the whole string malformed;
 * - runs of spaces, and spaces at either end, are tolerated, as most servers do;
 * - tokens are case-sensitive; order does not matter and a repeated token counts once, so a
 *   `ScopeSet` iterates, and `formatScope` writes, in one canonical (sorted) order;
 * - an absent or blank scope means "not given", and the widest scope the limits allow applies
 *   (§3.3's "pre-defined default value"); when that is empty, the request fails with invalid_scope;
 * - a token the catalogue does not define is unknown; one the app (or, on refresh, the grant)
 *   does not hold is not allowed. Both are invalid_scope, naming the scopes at fault.
 */

export interface ScopeDefinition {
  name: string
  /** One line, for consent screens and the scope reference. */
  description: string
  /** Set only on a classic (coarse) scope: the granular scopes it stands for. */
  replacedBy?: readonly string[]
  /**
   * A classic scope's deprecation day (YYYY-MM-DD, from 00:00 UTC): from then new authorizations may not
   * ask for it, and tokens still holding it follow GATEHOUSE_CLASSIC_SCOPES. Undefined: never deprecated.
   */
  deprecatedOn?: string
}

/**
 * The scopes the API defines, with their descriptions: the catalogue file (domain/scope-catalogue.ts), or
 * without one the OAuth2 scheme of the API's OpenAPI document.
 */
export type ScopeCatalogue = readonly ScopeDefinition[]

/** What the gate does with a token's classic scope once the scope is past its deprecation day. */
export type ClassicScopeMode = 'allow' | 'warn' | 'refuse'
export const CLASSIC_SCOPE_MODES: readonly ClassicScopeMode[] = ['allow', 'warn', 'refuse']

/** Scope tokens without repeats, iterating in canonical order. Made by `parseScope`, `scopeSet` or `narrow`. */
export type ScopeSet = ReadonlySet<string>

export type ScopeErrorReason = 'malformed' | 'unknown' | 'not_allowed' | 'empty' | 'deprecated'

export interface ScopeError {
  /** Always RFC 6749's invalid_scope; registration reports it as invalid_client_metadata instead. */
  error: 'invalid_scope'
  reason: ScopeErrorReason
  /** The scopes at fault (unknown, not allowed or deprecated); empty for `malformed` and `empty`. */
  scopes: string[]
  /** For error_description: only NQSCHAR characters, never the raw malformed input. */
  description: string
}

export type ScopeResult = { ok: true; scopes: ScopeSet } | { ok: false; error: ScopeError }

/** What a request's scope must lie within. */
export interface ScopeLimits {
  catalogue: ScopeCatalogue
  /** The scopes the app was registered with. */
  app: Iterable<string>
  /** On refresh: the grant's scope, which a token may narrow but never widen (RFC 6749 §6). */
  grant?: Iterable<string>
  /**
   * Set (to now, in ms) for a new authorization, which may not ask for a classic scope past its deprecation
   * day; unset on refresh, where the grant's scopes stand and the gate applies GATEHOUSE_CLASSIC_SCOPES.
   */
  newAuthorizationAt?: number
}

const EMPTY: ScopeSet = new Set()
const MAX_NAMED_LENGTH = 300

/** The scope tokens of `text`, or why it is malformed. Absent or blank text is the empty set. */
export function parseScope(text: string | undefined): ScopeResult {
  if (text === undefined) return { ok: true, scopes: EMPTY }
  const tokens: string[] = []
  let start = -1
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x20
    if (c === 0x20) {
      if (start !== -1) tokens.push(text.slice(start, i))
      start = -1
    } else if (isNqchar(c)) {
      if (start === -1) start = i
    } else {
      return failure('malformed', [], `The scope is malformed: the character at position ${i + 1} cannot be part of a scope (scope names are printable ASCII other than the double quote and the backslash, separated by spaces)`)
    }
  }
  return { ok: true, scopes: scopeSet(tokens) }
}

/** RFC 6749 Appendix A: NQCHAR = %x21 / %x23-5B / %x5D-7E. */
function isNqchar(c: number): boolean {
  return c >= 0x21 && c <= 0x7e && c !== 0x22 && c !== 0x5c
}

/** A scope set from names already known to be well formed (the catalogue, an app's stored scopes). */
export function scopeSet(names: Iterable<string>): ScopeSet {
  return new Set([...new Set(names)].sort())
}

/**
 * A scope string Gatehouse wrote itself (a grant row, a token's `scope` claim). Anything
 * malformed there is a defect, not input, and grants nothing rather than something.
 */
export function trustedScope(text: string | undefined): ScopeSet {
  const parsed = parseScope(text)
  return parsed.ok ? parsed.scopes : EMPTY
}

/** The canonical scope string: each token once, sorted, separated by single spaces. */
export function formatScope(scopes: Iterable<string>): string {
  return [...scopeSet(scopes)].join(' ')
}

/** True when `granted` holds every scope in `required` (an empty requirement is always met). */
export function contains(granted: ScopeSet, required: readonly string[]): boolean {
  for (let i = 0; i < required.length; i++) if (!granted.has(required[i])) return false
  return true
}

/** The scopes of `required` that `granted` lacks, in canonical order. */
export function missingScopes(granted: Iterable<string>, required: Iterable<string>): string[] {
  const held = granted instanceof Set ? (granted as ScopeSet) : new Set(granted)
  return [...scopeSet(required)].filter((scope) => !held.has(scope))
}

/** The names in `requested` that the catalogue does not define, in canonical order. */
export function unknownScopes(requested: Iterable<string>, catalogue: ScopeCatalogue): string[] {
  return missingScopes(catalogue.map((s) => s.name), requested)
}

/**
 * The scope a request ends up with: what it asked for, when all of it is defined and allowed;
 * the widest allowed scope when it asked for nothing. Never wider than the limits, never empty.
 */
export function narrow(requested: ScopeSet, limits: ScopeLimits): ScopeResult {
  const app = new Set(limits.app)
  // A grant of classic scopes also holds the granular ones they stand for: a refresh may move to them.
  const grant = limits.grant === undefined ? undefined : new Set(withGranularEquivalents(limits.grant, limits.catalogue))
  if (requested.size === 0) {
    const defined = new Set(limits.catalogue.map((s) => s.name))
    const widest = [...(grant ?? app)].filter((s) => app.has(s) && defined.has(s))
    const current = limits.newAuthorizationAt === undefined ? widest : widest.filter((s) => !isDeprecated(definitionOf(s, limits.catalogue), limits.newAuthorizationAt!))
    if (current.length === 0 && widest.length > 0) return deprecatedFailure(widest, limits.catalogue)
    if (current.length === 0) {
      return failure('empty', [], grant === undefined ? 'No scope was requested and the app has none registered' : 'No scope was requested and the grant holds none this app may still use')
    }
    return { ok: true, scopes: scopeSet(current) }
  }
  const unknown = unknownScopes(requested, limits.catalogue)
  if (unknown.length > 0) return failure('unknown', unknown, `Unknown scope: ${named(unknown)}`)
  if (limits.newAuthorizationAt !== undefined) {
    const deprecated = deprecatedScopes(requested, limits.catalogue, limits.newAuthorizationAt)
    if (deprecated.length > 0) return deprecatedFailure(deprecated, limits.catalogue)
  }
  const notForApp = missingScopes(app, requested)
  if (notForApp.length > 0) return failure('not_allowed', notForApp, `This app may not request: ${named(notForApp)}`)
  const notInGrant = grant === undefined ? [] : missingScopes(grant, requested)
  if (notInGrant.length > 0) return failure('not_allowed', notInGrant, `Outside the scope granted to this refresh token: ${named(notInGrant)}`)
  return { ok: true, scopes: requested }
}

/** `parseScope`, then `narrow`: a request's scope parameter checked against its limits. */
export function resolveScope(text: string | undefined, limits: ScopeLimits): ScopeResult {
  const parsed = parseScope(text)
  return parsed.ok ? narrow(parsed.scopes, limits) : parsed
}

/** The classic scope's deprecation instant (ms), or undefined for a granular scope or one without a date. */
export function deprecationTime(definition: ScopeDefinition | undefined): number | undefined {
  if (definition?.deprecatedOn === undefined) return undefined
  const time = Date.parse(`${definition.deprecatedOn}T00:00:00Z`)
  return Number.isNaN(time) ? undefined : time
}

/** Whether a scope is past its deprecation day at `now` (ms). */
export function isDeprecated(definition: ScopeDefinition | undefined, now: number): boolean {
  const time = deprecationTime(definition)
  return time !== undefined && now >= time
}

/** The names in `names` that are classic scopes past their deprecation day, in canonical order. */
export function deprecatedScopes(names: Iterable<string>, catalogue: ScopeCatalogue, now: number): string[] {
  return [...scopeSet(names)].filter((name) => isDeprecated(definitionOf(name, catalogue), now))
}

/** Whether the catalogue calls this scope classic (one that stands for granular ones). */
export function isClassicScope(name: string, catalogue: ScopeCatalogue): boolean {
  return definitionOf(name, catalogue)?.replacedBy !== undefined
}

/**
 * `names` and the granular scopes their classic ones stand for: what an approval or a grant of classic scopes
 * already allows, so an app moving to the equivalent granular scopes asks nobody again.
 */
export function withGranularEquivalents(names: Iterable<string>, catalogue: ScopeCatalogue): string[] {
  const out = new Set<string>()
  for (const name of names) {
    out.add(name)
    for (const replacement of definitionOf(name, catalogue)?.replacedBy ?? []) out.add(replacement)
  }
  return [...scopeSet(out)]
}

/** The granular scopes that stand in for `names`: a classic scope's replacements, a granular scope itself. */
export function granularEquivalent(names: Iterable<string>, catalogue: ScopeCatalogue): string[] {
  const out = new Set<string>()
  for (const name of names) for (const replacement of definitionOf(name, catalogue)?.replacedBy ?? [name]) out.add(replacement)
  return [...scopeSet(out)]
}

export function definitionOf(name: string, catalogue: ScopeCatalogue): ScopeDefinition | undefined {
  return catalogue.find((definition) => definition.name === name)
}

function deprecatedFailure(deprecated: readonly string[], catalogue: ScopeCatalogue): { ok: false; error: ScopeError } {
  const advice = deprecated.map((name) => {
    const definition = definitionOf(name, catalogue)
    return `${name} (deprecated on ${definition?.deprecatedOn}; ask for ${(definition?.replacedBy ?? []).join(' ')} instead)`
  })
  return failure('deprecated', [...deprecated], named([`Deprecated scope: ${advice.join(', ')}`]))
}

function named(scopes: readonly string[]): string {
  const text = scopes.join(' ')
  return text.length > MAX_NAMED_LENGTH ? `${text.slice(0, MAX_NAMED_LENGTH)}...` : text
}

function failure(reason: ScopeErrorReason, scopes: string[], description: string): { ok: false; error: ScopeError } {
  return { ok: false, error: { error: 'invalid_scope', reason, scopes, description } }
}

const WRITE_LEVEL = /write|delete|admin/i

/**
 * Whether a scope lets an app change data rather than only read it, so the consent page can set it
 * apart: its name contains `write`, `delete` or `admin`, in any case and anywhere (`repository:write`,
 * `write:repository`, `delete_repo`, `admin:org`, `Files.ReadWrite`). Read from the name alone, so it
 * holds for any API's catalogue; when in doubt it says "changes data", the side that warns.
 */
export function isWriteLevelScope(name: string): boolean {
  return WRITE_LEVEL.test(name)
}
