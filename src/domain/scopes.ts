/** Scope strings (RFC 6749 §3.3): space-separated, case-sensitive, no duplicates. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

export interface ScopeDefinition {
  name: string
  description: string
}

/** Splits a scope parameter; undefined for a malformed one. */
export function parseScope(value: string | undefined): string[] | undefined {
  if (value === undefined) return []
  const scopes = value.split(' ').filter((s) => s !== '')
  if (!scopes.every((s) => SCOPE_TOKEN.test(s))) return undefined
  return [...new Set(scopes)]
}

export function formatScope(scopes: readonly string[]): string {
  return [...new Set(scopes)].sort().join(' ')
}

/** The scopes of `requested` not in `allowed`. */
export function scopesOutside(requested: readonly string[], allowed: readonly string[]): string[] {
  const set = new Set(allowed)
  return requested.filter((s) => !set.has(s))
}

/** True when `held` contains every scope in `required`. */
export function hasAllScopes(held: ReadonlySet<string>, required: readonly string[]): boolean {
  for (const scope of required) if (!held.has(scope)) return false
  return true
}
