import { definitionOf, deprecationTime, granularEquivalent, type ClassicScopeMode, type ScopeCatalogue, type ScopeSet } from './scopes.js'

/**
 * OpenAPI security, as the gate applies it: an operation lists one or more requirements, each a set of
 * scopes that are all needed; a token passes when it holds every scope of at least one requirement.
 * A token holding only some scopes of each is refused, and told the scopes of the requirement it is
 * closest to.
 */
export interface ScopeRequirement {
  readonly scopes: readonly string[]
  /** True when it names a classic scope (one the catalogue replaces by granular ones). */
  readonly classic: boolean
  /** When the earliest of its classic scopes is deprecated (ms); undefined: granular, or no date. */
  readonly deprecatedAt: number | undefined
  /** For a classic requirement, the granular scopes that stand for it; for a granular one, its own scopes. */
  readonly granular: readonly string[]
}

/** An operation's alternatives as the gate checks them: granular ones first, so a token holding both is never warned. */
export function compileRequirements(alternatives: readonly (readonly string[])[], catalogue: ScopeCatalogue): ScopeRequirement[] {
  const compiled = alternatives.map((scopes) => {
    let classic = false
    let deprecatedAt: number | undefined
    for (const scope of scopes) {
      const definition = definitionOf(scope, catalogue)
      if (definition?.replacedBy === undefined) continue
      classic = true
      const time = deprecationTime(definition)
      if (time !== undefined && (deprecatedAt === undefined || time < deprecatedAt)) deprecatedAt = time
    }
    return { scopes: [...scopes], classic, deprecatedAt, granular: classic ? granularEquivalent(scopes, catalogue) : [...scopes] }
  })
  return [...compiled.filter((r) => !r.classic), ...compiled.filter((r) => r.classic)]
}

/** Whether a requirement still admits tokens at `now` under `mode`: past its day, `refuse` stops counting it. */
export function counts(requirement: ScopeRequirement, now: number, mode: ClassicScopeMode): boolean {
  return mode !== 'refuse' || requirement.deprecatedAt === undefined || now < requirement.deprecatedAt
}

/** Whether admitting through this requirement should warn (the `Deprecation` header, a counted use). */
export function warns(requirement: ScopeRequirement, now: number, mode: ClassicScopeMode): boolean {
  return mode === 'warn' && requirement.deprecatedAt !== undefined && now >= requirement.deprecatedAt
}

/** The index of the first requirement `granted` meets and that still counts; -1 when none. Allocates nothing. */
export function metRequirement(granted: ScopeSet, requirements: readonly ScopeRequirement[], now: number, mode: ClassicScopeMode): number {
  outer: for (let i = 0; i < requirements.length; i++) {
    const scopes = requirements[i].scopes
    for (let j = 0; j < scopes.length; j++) if (!granted.has(scopes[j])) continue outer
    if (counts(requirements[i], now, mode)) return i
  }
  return -1
}

/**
 * The requirement a refused token is told to meet, and what it lacks of it: a granular one whenever one
 * counts (so no vendor is steered to a deprecated scope), the one with fewest scopes missing, then the
 * one it holds most of, then the cheapest (fewest scopes in all). Requirements that no longer count are left out.
 */
export function closestRequirement(granted: ScopeSet, requirements: readonly ScopeRequirement[], now: number, mode: ClassicScopeMode): { requirement: ScopeRequirement; missing: string[] } | undefined {
  let best: { requirement: ScopeRequirement; missing: string[] } | undefined
  for (const requirement of requirements) {
    if (!counts(requirement, now, mode)) continue
    const missing = requirement.scopes.filter((scope) => !granted.has(scope))
    if (best === undefined || closer({ requirement, missing }, best)) best = { requirement, missing }
  }
  if (best === undefined && requirements.length > 0) {
    // Only classic requirements, all past their day under `refuse`: what stands in for the first of them.
    const requirement = { scopes: requirements[0].granular, classic: false, deprecatedAt: undefined, granular: requirements[0].granular }
    best = { requirement, missing: requirement.scopes.filter((scope) => !granted.has(scope)) }
  }
  return best
}

function closer(a: { requirement: ScopeRequirement; missing: string[] }, b: { requirement: ScopeRequirement; missing: string[] }): boolean {
  if (a.requirement.classic !== b.requirement.classic) return !a.requirement.classic
  if (a.missing.length !== b.missing.length) return a.missing.length < b.missing.length
  const heldA = a.requirement.scopes.length - a.missing.length
  const heldB = b.requirement.scopes.length - b.missing.length
  if (heldA !== heldB) return heldA > heldB
  return a.requirement.scopes.length < b.requirement.scopes.length
}
