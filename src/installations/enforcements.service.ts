import type { Clock } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { decision, ENFORCEMENT_MODES, type CohortMember, type Decision, type Enforcement, type EnforcementMode, type RolloutSubject } from '../domain/rollout.js'
import { BadRequestError } from '../errors.js'
import { inTransaction, type Db } from '../store/database.js'
import * as queries from './enforcements.queries.js'

/**
 * Progressive enforcement (domain/rollout.ts decides): the named enforcements, their settings and
 * every change to them with who made it, and the reports of requests an enforcement in report-only
 * let through. The CLI, the admin page and the vendor's page and API call these.
 */

/** Impersonation assertions carrying the oauthClientId of an earlier installation of the app in the workspace. */
export const STALE_OAUTH_CLIENT_ID = 'stale-oauth-client-id'

/** Every enforcement this version knows, with what it refuses. A setting for another name is refused. */
export const KNOWN_ENFORCEMENTS: Readonly<Record<string, string>> = {
  [STALE_OAUTH_CLIENT_ID]:
    'refuse impersonation assertions whose iss names an oauthClientId of an earlier installation of the app in the same workspace (before a reinstall or an import)',
}

export interface EnforcementState extends Enforcement {
  /** What the enforcement refuses. */
  description: string
  /** Null while it has never been set (it is then off). */
  updatedAt: number | null
  updatedBy: string | null
}

export interface EnforcementSetting {
  mode: EnforcementMode
  /** Whole percent, 0–100; unchanged when absent (0 for a first setting). */
  percent?: number
  /** Replaces the cohort; unchanged when absent (empty for a first setting). */
  cohort?: readonly CohortMember[]
}

export interface EnforcementChange {
  name: string
  mode: EnforcementMode
  percent: number
  cohort: CohortMember[]
  changedBy: string
  changedAt: number
}

export interface EnforcementReport {
  id: string
  enforcement: string
  installationId: string | null
  /** The installation's clientKey and workspace; null once the installation is deleted. */
  clientKey: string | null
  workspace: string | null
  /** What was refused and what is current (for stale-oauth-client-id: the stale and the current oauthClientId, the grant type). */
  detail: Record<string, unknown>
  createdAt: number
}

export interface NewEnforcementReport {
  enforcement: string
  appId: string
  installationId: string
  detail: Record<string, unknown>
}

/** The name, if this version knows it; otherwise a refusal listing the ones it knows. */
export function knownEnforcementName(name: string): string {
  if (Object.hasOwn(KNOWN_ENFORCEMENTS, name)) return name
  throw new BadRequestError(`"${name}" is not an enforcement; the known ones are: ${Object.keys(KNOWN_ENFORCEMENTS).join(', ')}`)
}

/** Every known enforcement with its setting; one never set is off, for no app. */
export async function listEnforcements(db: Db): Promise<EnforcementState[]> {
  const rows = new Map((await queries.listEnforcementRows(db)).map((row) => [row.name, row]))
  return Object.keys(KNOWN_ENFORCEMENTS).map((name) => toState(name, rows.get(name)))
}

export async function getEnforcement(db: Db, name: string): Promise<EnforcementState> {
  return toState(knownEnforcementName(name), await queries.findEnforcementRow(db, name))
}

/** Sets an enforcement's mode (and percentage, cohort) and records the change with who made it, in one transaction. */
export async function setEnforcement(deps: { db: Db; clock: Clock }, name: string, setting: EnforcementSetting, changedBy: string): Promise<EnforcementState> {
  knownEnforcementName(name)
  if (!ENFORCEMENT_MODES.includes(setting.mode)) throw new BadRequestError(`"${setting.mode}" is not a mode; use ${ENFORCEMENT_MODES.join(', ')}`)
  if (setting.percent !== undefined && !(Number.isInteger(setting.percent) && setting.percent >= 0 && setting.percent <= 100)) {
    throw new BadRequestError(`The percentage must be a whole number from 0 to 100, not ${setting.percent}`)
  }
  const now = deps.clock.now()
  return inTransaction(deps.db, async (trx) => {
    const current = toState(name, await queries.findEnforcementRow(trx, name))
    const next = { mode: setting.mode, percent: setting.percent ?? current.percent, cohort: JSON.stringify(setting.cohort ?? current.cohort) }
    await queries.saveEnforcement(trx, { name, ...next, updated_at: now, updated_by: changedBy })
    await queries.insertEnforcementChange(trx, { id: newId(), name, ...next, changed_by: changedBy, changed_at: now })
    return toState(name, { ...next, updated_at: now, updated_by: changedBy })
  })
}

/**
 * The cohort members that name no app or workspace (yet): a typo would otherwise silently leave an
 * app out of an early-access programme. Not refused, since a cohort may be set up ahead of an app.
 */
export async function unknownCohortMembers(db: Db, cohort: readonly CohortMember[]): Promise<CohortMember[]> {
  const idOf = (member: CohortMember) => member.slice(member.indexOf(':') + 1)
  const appKeys = cohort.filter((m) => m.startsWith('app:')).map(idOf)
  const slugs = cohort.filter((m) => m.startsWith('workspace:')).map(idOf)
  const existing = await queries.existingCohortTargets(db, appKeys, slugs)
  return cohort.filter((m) => !(m.startsWith('app:') ? existing.appKeys : existing.workspaceSlugs).has(idOf(m)))
}

/** Every change of an enforcement, oldest first. */
export async function listChanges(db: Db, name: string): Promise<EnforcementChange[]> {
  const rows = await queries.listEnforcementChanges(db, knownEnforcementName(name))
  return rows.map((row) => ({
    name: row.name,
    mode: row.mode as EnforcementMode,
    percent: row.percent,
    cohort: JSON.parse(row.cohort) as CohortMember[],
    changedBy: row.changed_by,
    changedAt: row.changed_at,
  }))
}

/** What to do with a request the named enforcement's rule would refuse, for this app in this workspace. */
export async function enforcementDecision(db: Db, name: string, subject: RolloutSubject): Promise<Decision> {
  return decision(await getEnforcement(db, name), subject)
}

/** Records a request that report-only let through, for the vendor to see. */
export async function recordReport(deps: { db: Db; clock: Clock }, report: NewEnforcementReport): Promise<void> {
  await queries.insertEnforcementReport(deps.db, {
    id: newId(),
    enforcement: report.enforcement,
    app_id: report.appId,
    installation_id: report.installationId,
    detail: JSON.stringify(report.detail),
    created_at: deps.clock.now(),
  })
}

export const MAX_REPORTS = 500

/** An app's reports, newest first (at most `limit`, up to MAX_REPORTS). */
export async function listReports(db: Db, appId: string, { limit = 100 }: { limit?: number } = {}): Promise<EnforcementReport[]> {
  const rows = await queries.listEnforcementReportRows(db, appId, Math.min(Math.max(1, limit), MAX_REPORTS))
  return rows.map((row) => ({
    id: row.id,
    enforcement: row.enforcement,
    installationId: row.installation_id,
    clientKey: row.client_key,
    workspace: row.workspace_slug,
    detail: JSON.parse(row.detail) as Record<string, unknown>,
    createdAt: row.created_at,
  }))
}

function toState(name: string, row: { mode: string; percent: number; cohort: string; updated_at: number; updated_by: string } | undefined): EnforcementState {
  return {
    name,
    description: KNOWN_ENFORCEMENTS[name],
    mode: (row?.mode ?? 'off') as EnforcementMode,
    percent: row?.percent ?? 0,
    cohort: row ? (JSON.parse(row.cohort) as CohortMember[]) : [],
    updatedAt: row?.updated_at ?? null,
    updatedBy: row?.updated_by ?? null,
  }
}
