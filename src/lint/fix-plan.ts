import { definitionOf, type ScopeCatalogue } from '../domain/scopes.js'
import type { ScopeEdit } from './manifest.js'
import type { Problem } from './rules.js'

/**
 * What --fix does to the manifest's scopes, decided from lint's own problems so fix and lint cannot
 * disagree: classic scopes become their replacements where they stood, then the scopes calls lack are
 * added; with --prune, the scopes no call uses go, unless some calls could not be read.
 */

export type ManifestChange =
  | { change: 'replaced'; scope: string; by: string[] }
  | { change: 'added'; scope: string }
  /** `unused`: pruned; `replacements-listed`: a classic scope whose replacements the manifest already lists. */
  | { change: 'removed'; scope: string; reason: 'unused' | 'replacements-listed' }

export interface FixPlan {
  edit: ScopeEdit
  changes: ManifestChange[]
  /** Why --prune removed nothing, as a problem to report. */
  pruneRefusal?: Problem
}

export function planFix(scopes: readonly string[], catalogue: ScopeCatalogue, lint: (scopes: readonly string[]) => Problem[], prune: boolean): FixPlan {
  const replaced = replaceClassic(scopes, catalogue)
  const afterReplacing = replaced.flat()
  const appended = [...new Set(lint(afterReplacing).filter((p) => p.rule === 'permission-scope-required').flatMap((p) => p.scopes ?? []))]
    .filter((scope) => !afterReplacing.includes(scope))
  let entries = replaced
  let pruneRefusal: Problem | undefined
  if (prune) {
    const problems = lint([...afterReplacing, ...appended])
    pruneRefusal = refusal(problems)
    if (pruneRefusal === undefined) {
      const unused = new Set(problems.filter((p) => p.rule === 'unused-scope').flatMap((p) => p.scopes ?? []))
      entries = replaced.map((entry) => entry.filter((scope) => !unused.has(scope)))
    }
  }
  return { edit: { entries, appended }, changes: describeChanges(scopes, replaced, entries, appended), pruneRefusal }
}

/** Each scope as it stands, or a classic one's replacements that are not listed already. */
function replaceClassic(scopes: readonly string[], catalogue: ScopeCatalogue): string[][] {
  const listed = new Set(scopes)
  return scopes.map((scope) => {
    const replacements = definitionOf(scope, catalogue)?.replacedBy
    if (replacements === undefined) return [scope]
    const added = replacements.filter((replacement) => !listed.has(replacement))
    for (const replacement of added) listed.add(replacement)
    return added
  })
}

/** An unread call might need any scope, so pruning waits until every call and file can be read. */
function refusal(problems: readonly Problem[]): Problem | undefined {
  const calls = problems.filter((p) => p.rule === 'unresolved-call').length
  const files = problems.filter((p) => p.rule === 'parse-error').length
  if (calls + files === 0) return undefined
  const unread = [calls > 0 ? plural(calls, 'call') : '', files > 0 ? plural(files, 'file') : ''].filter(Boolean).join(' and ')
  return { severity: 'warning', rule: 'prune-unsafe', message: `no scope was pruned: pruning is unsafe while ${unread} could not be read` }
}

function describeChanges(scopes: readonly string[], replaced: readonly string[][], entries: readonly string[][], appended: readonly string[]): ManifestChange[] {
  const changes: ManifestChange[] = []
  scopes.forEach((scope, i) => {
    const now = entries[i]
    if (now.length === 1 && now[0] === scope) return
    if (now.length > 0) changes.push({ change: 'replaced', scope, by: [...now] })
    else changes.push({ change: 'removed', scope, reason: replaced[i].length === 0 ? 'replacements-listed' : 'unused' })
  })
  for (const scope of appended) changes.push({ change: 'added', scope })
  return changes
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
