import { closestRequirement, compileRequirements, metRequirement, type ScopeRequirement } from '../domain/scope-requirements.js'
import { definitionOf, scopeSet, type ClassicScopeMode, type ScopeCatalogue, type ScopeSet } from '../domain/scopes.js'
import { API_BASE_PATH, type ApiOperation } from '../gateway/api-description.js'
import type { ApiCall } from './call-scanner.js'
import { callTarget } from './call-target.js'

/**
 * The rules: what an app's calls need against what its manifest asks for. Pure: the app's facts, the
 * platform's API and `now` in, problems out.
 */

export type Severity = 'error' | 'warning'

export type Rule =
  | 'permission-scope-required'
  | 'unused-scope'
  | 'deprecated-scope'
  | 'unknown-scope'
  | 'unknown-endpoint'
  | 'unresolved-call'
  | 'parse-error'
  | 'prune-unsafe'

export interface Problem {
  severity: Severity
  rule: Rule
  message: string
  /** Where, for a problem at a call or in a source file (relative to the app's directory). */
  file?: string
  line?: number
  column?: number
  method?: string
  /** The OpenAPI path template with the base path (`/2.0/user`), or the call's path when it matches none. */
  path?: string
  operationId?: string
  /** The scopes the problem is about: those to add, or the manifest's scope at fault. */
  scopes?: string[]
  /** For a deprecated scope: what to ask for instead. */
  replacedBy?: string[]
}

/** A source file lint could not read or parse, so it knows nothing of its calls. */
export interface UnreadableFile {
  file: string
  reason: string
  line?: number
  column?: number
}

/** What lint read of an app. */
export interface AppFacts {
  /** The manifest's `permissions.scopes`, in its order. */
  scopes: readonly string[]
  calls: readonly ApiCall[]
  unreadable: readonly UnreadableFile[]
}

/** What lint knows of the platform: its scope catalogue and its operations. */
export interface PlatformFacts {
  scopes: ScopeCatalogue
  operations: readonly ApiOperation[]
}

/**
 * Lint holds an app to where the platform is going: past its deprecation day a classic scope satisfies
 * nothing, whatever a deployment's GATEHOUSE_CLASSIC_SCOPES still lets through.
 */
const LINT_MODE: ClassicScopeMode = 'refuse'

export function lintApp(app: AppFacts, platform: PlatformFacts, now: number): Problem[] {
  const granted = scopeSet(app.scopes)
  const used = new Set<string>()
  const requirementsOf = compiledRequirements(platform.scopes)
  const sourceProblems: Problem[] = app.unreadable.map((file) => ({
    severity: 'warning', rule: 'parse-error', message: `could not parse: ${file.reason}`, file: file.file, line: file.line, column: file.column,
  }))
  for (const call of app.calls) {
    const at = { file: call.file, line: call.line, column: call.column }
    const target = callTarget(call, platform.operations)
    if (target.kind === 'unresolved') sourceProblems.push({ severity: 'warning', rule: 'unresolved-call', message: target.message, ...at })
    if (target.kind === 'unknown') {
      sourceProblems.push({ severity: 'warning', rule: 'unknown-endpoint', message: `${target.method} ${target.path} matches no operation of the API`, ...at, method: target.method, path: target.path })
    }
    if (target.kind !== 'operation' || target.operation.requirements === null) continue
    const { operation } = target
    const requirements = requirementsOf(operation)
    const met = metRequirement(granted, requirements, now, LINT_MODE)
    if (met !== -1) {
      for (const scope of requirements[met].scopes) used.add(scope)
      continue
    }
    const missing = scopesToAdd(granted, requirements, now)
    const path = API_BASE_PATH + operation.path
    sourceProblems.push({
      severity: 'error', rule: 'permission-scope-required', message: `${target.method} ${path} requires ${quotedList(missing)} ${missing.length === 1 ? 'scope' : 'scopes'}`,
      ...at, method: target.method, path, operationId: operation.operationId, scopes: missing,
    })
  }
  return [...sourceProblems.sort(byPlace), ...manifestProblems(app.scopes, platform.scopes, used)]
}

/**
 * What a call the manifest does not allow needs: what it lacks of the closest granular requirement (a
 * classic one only when the operation offers nothing else), so --fix never adds a scope on its way out.
 */
function scopesToAdd(granted: ScopeSet, requirements: readonly ScopeRequirement[], now: number): string[] {
  const granular = requirements.filter((requirement) => !requirement.classic)
  return closestRequirement(granted, granular.length > 0 ? granular : requirements, now, LINT_MODE)?.missing ?? []
}

/** Each manifest scope once, in the manifest's order: unknown to the catalogue, classic, or used by no call. */
function manifestProblems(scopes: readonly string[], catalogue: ScopeCatalogue, used: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = []
  for (const scope of new Set(scopes)) {
    const definition = definitionOf(scope, catalogue)
    if (definition === undefined) {
      problems.push({ severity: 'error', rule: 'unknown-scope', message: `scope "${scope}" is not in the scope catalogue`, scopes: [scope] })
      continue
    }
    if (definition.replacedBy !== undefined) {
      const replacedBy = [...definition.replacedBy]
      problems.push({ severity: 'warning', rule: 'deprecated-scope', message: `scope "${scope}" is deprecated; use ${quotedList(replacedBy)}`, scopes: [scope], replacedBy })
    }
    if (!used.has(scope)) problems.push({ severity: 'warning', rule: 'unused-scope', message: `scope "${scope}" is not used by any call`, scopes: [scope] })
  }
  return problems
}

/** Each operation's requirements compiled once per run. */
function compiledRequirements(catalogue: ScopeCatalogue): (operation: ApiOperation) => ScopeRequirement[] {
  const compiled = new Map<string, ScopeRequirement[]>()
  return (operation) => {
    let requirements = compiled.get(operation.operationId)
    if (requirements === undefined) {
      requirements = compileRequirements(operation.requirements ?? [], catalogue)
      compiled.set(operation.operationId, requirements)
    }
    return requirements
  }
}

/** `"a"`, `"a" and "b"`, `"a", "b" and "c"`. */
export function quotedList(items: readonly string[]): string {
  const quoted = items.map((item) => `"${item}"`)
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} and ${quoted[quoted.length - 1]}`
}

function byPlace(a: Problem, b: Problem): number {
  const fileA = a.file ?? ''
  const fileB = b.file ?? ''
  return (fileA < fileB ? -1 : fileA > fileB ? 1 : 0) || (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0)
}
