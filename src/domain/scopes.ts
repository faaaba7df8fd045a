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
  description: string
}

/** The scopes the API defines (its OpenAPI document's OAuth2 scheme), with their descriptions. */
export type ScopeCatalogue = readonly ScopeDefinition[]

/** Scope tokens without repeats, iterating in canonical order. Made by `parseScope`, `scopeSet` or `narrow`. */
export type ScopeSet = ReadonlySet<string>

export type ScopeErrorReason = 'malformed' | 'unknown' | 'not_allowed' | 'empty'

export interface ScopeError {
  /** Always RFC 6749's invalid_scope; registration reports it as invalid_client_metadata instead. */
  error: 'invalid_scope'
  reason: ScopeErrorReason
  /** The scopes at fault (unknown or not allowed); empty for `malformed` and `empty`. */
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
  const grant = limits.grant === undefined ? undefined : new Set(limits.grant)
  if (requested.size === 0) {
    const defined = new Set(limits.catalogue.map((s) => s.name))
    const widest = [...(grant ?? app)].filter((s) => app.has(s) && defined.has(s))
    if (widest.length === 0) {
      return failure('empty', [], grant === undefined ? 'No scope was requested and the app has none registered' : 'No scope was requested and the grant holds none this app may still use')
    }
    return { ok: true, scopes: scopeSet(widest) }
  }
  const unknown = unknownScopes(requested, limits.catalogue)
  if (unknown.length > 0) return failure('unknown', unknown, `Unknown scope: ${named(unknown)}`)
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
