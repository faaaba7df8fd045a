import type { ManifestChange } from './fix-plan.js'
import { quotedList, type Problem } from './rules.js'

/** Lint's output: one line per change and per problem, rule last, parts two spaces apart; or one JSON document. */

export interface LintOutcome {
  problems: Problem[]
  changes: ManifestChange[]
}

export function textReport(outcome: LintOutcome): string[] {
  return [...outcome.changes.map(changeLine), ...outcome.problems.map(problemLine), summaryLine(outcome.problems)]
}

export function jsonReport(outcome: LintOutcome): LintOutcome {
  return { problems: outcome.problems, changes: outcome.changes }
}

/** 1 while any error remains: CI fails on what would break the app, not on advice. */
export function exitCode(outcome: LintOutcome): number {
  return outcome.problems.some((problem) => problem.severity === 'error') ? 1 : 0
}

/** `src/index.js:12:5  error  GET /2.0/user requires "read:user" scope  permission-scope-required` */
export function problemLine(problem: Problem): string {
  const place = problem.file === undefined ? '' : `${problem.file}${problem.line === undefined ? '' : `:${problem.line}:${problem.column}`}  `
  return `${place}${problem.severity}  ${problem.message}  ${problem.rule}`
}

export function changeLine(change: ManifestChange): string {
  if (change.change === 'replaced') return `fixed  replaced "${change.scope}" by ${quotedList(change.by)}`
  if (change.change === 'added') return `fixed  added "${change.scope}"`
  return `fixed  removed "${change.scope}"${change.reason === 'unused' ? ', which no call uses' : ', whose replacements are already listed'}`
}

export function summaryLine(problems: readonly Problem[]): string {
  if (problems.length === 0) return 'No problems found'
  const errors = problems.filter((problem) => problem.severity === 'error').length
  const warnings = problems.length - errors
  return `${count(problems.length, 'problem')} (${count(errors, 'error')}, ${count(warnings, 'warning')})`
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}
