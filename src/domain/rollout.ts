import { createHash } from 'node:crypto'
import { isAppKey } from './descriptor.js'

/**
 * Progressive enforcement: a security change that would break some apps (such as refusing a stale
 * oauthClientId) ships under a name with a mode, a cohort and a percentage of apps, so it reaches
 * apps a few at a time and vendors see what would fail before it does.
 * - `off`: nothing changes.
 * - `report-only`: a request the change would refuse succeeds and is recorded for the vendor.
 * - `enforce`: it is refused.
 * Either mode applies only to apps in scope: those in the cohort (an early-access programme, by app
 * or by workspace) and those whose bucket falls under the percentage. So report-only at 5% reports
 * for the same 5% that enforce at 5% would refuse; apps out of scope are allowed, silently.
 *
 * An app's bucket is a stable hash of the enforcement's name and the app key, fixed for the life of
 * the enforcement: raising the percentage only adds apps (the apps in 5% are among those in 50%),
 * and each enforcement starts with a different 5%, so no vendor is always first.
 */

export type EnforcementMode = 'off' | 'report-only' | 'enforce'
export const ENFORCEMENT_MODES: readonly EnforcementMode[] = ['off', 'report-only', 'enforce']

/** An app by its descriptor key, or a workspace by its slug. */
export type CohortMember = `app:${string}` | `workspace:${string}`

export interface Enforcement {
  name: string
  mode: EnforcementMode
  /** 0–100, in steps of 0.01. */
  percent: number
  cohort: readonly CohortMember[]
}

/** `allow`: go ahead, record nothing; `report`: go ahead and record it; `refuse`: refuse. */
export type Decision = 'allow' | 'report' | 'refuse'

export interface RolloutSubject {
  appKey: string
  /** The workspace the request acts in, when there is one. */
  workspaceSlug?: string
}

export const BUCKETS = 10_000
const BUCKETS_PER_PERCENT = BUCKETS / 100
// The same characters as a workspace slug (src/platform/platform.schemas.ts SLUG_PATTERN, which domain/ cannot import).
const WORKSPACE_SLUG = /^[a-z0-9][a-z0-9_.-]{0,61}$/

/** The app's bucket for an enforcement, 0–9999: the first 4 bytes of SHA-256 of a namespaced string, scaled. */
export function bucket(enforcementName: string, appKey: string): number {
  const digest = createHash('sha256').update(`gatehouse:enforcement:${enforcementName}:app:${appKey}`, 'utf8').digest()
  return Math.floor((digest.readUInt32BE(0) / 2 ** 32) * BUCKETS)
}

/** Whether the enforcement's mode applies to this app in this workspace. */
export function inScope(enforcement: Enforcement, subject: RolloutSubject): boolean {
  if (enforcement.cohort.includes(`app:${subject.appKey}`)) return true
  if (subject.workspaceSlug !== undefined && enforcement.cohort.includes(`workspace:${subject.workspaceSlug}`)) return true
  return bucket(enforcement.name, subject.appKey) < Math.round(enforcement.percent * BUCKETS_PER_PERCENT)
}

/** What to do with a request the enforced rule would refuse. */
export function decision(enforcement: Enforcement, subject: RolloutSubject): Decision {
  if (enforcement.mode === 'off' || !inScope(enforcement, subject)) return 'allow'
  return enforcement.mode === 'enforce' ? 'refuse' : 'report'
}

/** A mode as typed on the command line or a form, or a problem naming the modes. */
export function parseMode(text: string): { mode: EnforcementMode } | { problem: string } {
  const mode = ENFORCEMENT_MODES.find((m) => m === text.trim())
  return mode ? { mode } : { problem: `"${text}" is not a mode; use ${ENFORCEMENT_MODES.join(', ')}` }
}

/** A percentage as typed (`5`, `0.5`, `12.25`, `50%`), or a problem. */
export function parsePercent(text: string): { percent: number } | { problem: string } {
  const match = /^(\d{1,3}(?:\.\d{1,2})?)%?$/.exec(text.trim())
  if (!match) return { problem: `"${text}" is not a percentage; write a number from 0 to 100 with at most two decimals, e.g. 5 or 0.25` }
  const percent = Number(match[1])
  return percent <= 100 ? { percent } : { problem: `"${text}" is more than 100%` }
}

/** A cohort member as typed (`app:<key>` or `workspace:<slug>`), or a problem saying what to write. */
export function parseCohortMember(text: string): { member: CohortMember } | { problem: string } {
  const value = text.trim()
  const colon = value.indexOf(':')
  const kind = colon < 0 ? '' : value.slice(0, colon)
  const id = value.slice(colon + 1)
  if (kind === 'app') {
    return isAppKey(id) ? { member: `app:${id}` } : { problem: `"${text}" does not name an app: after "app:" comes an app's descriptor key (lower-case letters, digits, ".", "_" or "-")` }
  }
  if (kind === 'workspace') {
    return WORKSPACE_SLUG.test(id) ? { member: `workspace:${id}` } : { problem: `"${text}" does not name a workspace: after "workspace:" comes a workspace slug (lower-case letters, digits, ".", "_" or "-")` }
  }
  return { problem: `"${text}" is not a cohort member; write app:<key> or workspace:<slug>, e.g. app:acme-reports or workspace:acme` }
}

/** A whole cohort (the values of repeated `--cohort` options), without repeats, or every problem in it. */
export function parseCohort(texts: readonly string[]): { cohort: CohortMember[] } | { problems: string[] } {
  const cohort = new Set<CohortMember>()
  const problems: string[] = []
  for (const text of texts) {
    const parsed = parseCohortMember(text)
    if ('member' in parsed) cohort.add(parsed.member)
    else problems.push(parsed.problem)
  }
  return problems.length === 0 ? { cohort: [...cohort] } : { problems }
}
