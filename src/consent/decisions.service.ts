import { consentOutcome as decideOutcome, approvalCovers, renewedScopes, type ConsentDecision, type StoredDecision } from '../domain/consent.js'
import type { Clock } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { withGranularEquivalents, type ScopeCatalogue } from '../domain/scopes.js'
import { NotFoundError } from '../errors.js'
import { revokeGrantRows } from '../oauth/grants.queries.js'
import type { RevocationList } from '../oauth/revocation-list.js'
import { inTransaction, isUniqueViolation, type Db } from '../store/database.js'
import type { ConsentDecisionRow } from '../store/schema.js'
import * as queries from './decisions.queries.js'

export interface ConsentDeps {
  db: Db
  clock: Clock
  revocations: Pick<RevocationList, 'record'>
  accessTokenTtlSeconds: number
  /**
   * The scope catalogue: an approval of a classic scope covers the granular scopes it stands for, so an app
   * moving to them asks nobody again. Without it, approvals cover exactly the scopes they name.
   */
  catalogue?: ScopeCatalogue
}

/**
 * Whose decision about what: a user and an app, and for a classic add-on (descriptor approval
 * "per-installation") the installation — the same add-on in two workspaces is approved twice.
 */
export interface ConsentSubject {
  userId: string
  app: { id: string; ownerId: string | null }
  installationId: string | null
  perInstallation: boolean
}

export type ConsentAnswer =
  | { outcome: 'allow'; scopes: string[]; decisionId: string | null; workspaces: string[] | null }
  | { outcome: 'deny'; decisionId: string }
  | { outcome: 'ask'; scopes: string[] }

const CLOCK_SKEW_MS = 60_000

/** What the user's decision says about a request for `scopes` (domain/consent.ts has the rules). */
export async function consentOutcome(deps: Pick<ConsentDeps, 'db' | 'clock' | 'catalogue'>, request: ConsentSubject & { scopes: readonly string[]; interactive?: boolean; askAgain?: boolean }): Promise<ConsentAnswer> {
  const row = await queries.findDecision(deps.db, request.userId, request.app.id, subjectInstallation(request))
  const answer = decideOutcome({
    ownApp: request.app.ownerId === request.userId,
    decision: row ? stored(row, deps.catalogue) : undefined,
    requested: request.scopes,
    interactive: request.interactive ?? true,
    askAgain: request.askAgain,
    now: deps.clock.now(),
  })
  if (answer.outcome === 'deny') return { outcome: 'deny', decisionId: row!.id }
  if (answer.outcome === 'ask') return answer
  return { ...answer, decisionId: row?.id ?? null, workspaces: row ? workspacesOf(row) : null }
}

/**
 * Stores the user's answer, replacing any earlier one. An approval holds what the user allowed
 * before and now (and ends a grace period: the new scopes are approved); a denial replaces it.
 */
export async function decide(deps: Pick<ConsentDeps, 'db' | 'clock'>, answer: ConsentSubject & { decision: ConsentDecision; scopes: readonly string[]; workspaces?: string[] | null }): Promise<{ id: string }> {
  const now = deps.clock.now()
  const installationId = subjectInstallation(answer)
  for (let attempt = 0; ; attempt++) {
    const existing = await queries.findDecision(deps.db, answer.userId, answer.app.id, installationId)
    const scopes = answer.decision === 'allow' ? renewedScopes(existing ? stored(existing) : undefined, answer.scopes) : [...answer.scopes]
    const fields = { decision: answer.decision, scope: scopes.join(' '), workspace_slugs: answer.workspaces ? JSON.stringify(answer.workspaces) : null, grace_ends_at: null, updated_at: now }
    if (existing) {
      await queries.replaceDecision(deps.db, existing.id, fields)
      return { id: existing.id }
    }
    const id = newId()
    try {
      await queries.insertDecision(deps.db, { id, user_id: answer.userId, app_id: answer.app.id, installation_id: installationId, created_at: now, last_used_at: null, ...fields })
      return { id }
    } catch (error) {
      // Two answers at once (two tabs): the later one replaces the first.
      if (!isUniqueViolation(error) || attempt > 0) throw error
    }
  }
}

/**
 * The user ends a decision: an approval ends with every token issued under it (on every node within
 * a second, through the grant revocations); a denial is lifted. Either way the next request asks.
 */
export async function revokeDecision(deps: ConsentDeps, userId: string, decisionId: string): Promise<{ ended: 'approval' | 'denial'; revokedGrants: number }> {
  const row = await deps.db.selectFrom('consent_decisions').selectAll().where('id', '=', decisionId).where('user_id', '=', userId).executeTakeFirst()
  if (!row) throw new NotFoundError('No such decision of yours; it may have been revoked already')
  const revokedGrants = await endDecisions(deps, [row], 'consent revoked by the user')
  return { ended: row.decision === 'allow' ? 'approval' : 'denial', revokedGrants }
}

/**
 * An app now asks for `appScopes`: approvals that do not hold them all end, with their tokens — or,
 * with a grace period, keep working with their old scopes until it is over. Denials stay. For a
 * classic add-on, only the approvals of the updated installation (`installationId`).
 */
export async function endApprovalsNotCovering(deps: ConsentDeps, change: { appId: string; installationId: string | null; appScopes: readonly string[]; graceMs?: number }): Promise<{ ended: number; inGrace: number; graceEndsAt: number | null }> {
  const approvals = await queries.listApprovals(deps.db, change.appId, change.installationId)
  const short = approvals.filter((row) => !approvalCovers(scopesOf(row, deps.catalogue), change.appScopes))
  if (change.graceMs !== undefined && change.graceMs > 0) {
    const graceEndsAt = deps.clock.now() + change.graceMs
    await queries.startGrace(deps.db, short.map((row) => row.id), graceEndsAt, deps.clock.now())
    return { ended: 0, inGrace: short.length, graceEndsAt }
  }
  await endDecisions(deps, short, 'the app asks for more scopes')
  return { ended: short.length, inGrace: 0, graceEndsAt: null }
}

/** Approvals whose re-consent grace period is over and were not renewed end, with their tokens. Run periodically. */
export async function endApprovalsPastGrace(deps: ConsentDeps): Promise<number> {
  const over = await queries.listGraceOver(deps.db, deps.clock.now())
  await endDecisions(deps, over, 'the re-consent grace period ended')
  return over.length
}

export { touchDecision } from './decisions.queries.js'

export interface DecisionListing {
  id: string
  decision: ConsentDecision
  app: { id: string; clientId: string; name: string; vendorName: string | null; kind: 'oauth' | 'installed' }
  /** Set for a classic add-on's decision, which is about one installation. */
  installation: { id: string; workspaceSlug: string; workspaceName: string } | null
  scopes: string[]
  /** The workspaces an OAuth app may reach; null: all of the user's. */
  workspaces: string[] | null
  createdAt: number
  updatedAt: number
  lastUsedAt: number | null
  graceEndsAt: number | null
  username: string
}

export async function listDecisionsOfUser(db: Db, userId: string): Promise<DecisionListing[]> {
  return (await queries.decisionRows(db).where('consent_decisions.user_id', '=', userId).execute()).map(toListing)
}

export async function listDecisionsOfApp(db: Db, appId: string): Promise<{ allowed: number; denied: number; decisions: DecisionListing[] }> {
  const decisions = (await queries.decisionRows(db).where('consent_decisions.app_id', '=', appId).execute()).map(toListing)
  return { allowed: decisions.filter((d) => d.decision === 'allow').length, denied: decisions.filter((d) => d.decision === 'deny').length, decisions }
}

/**
 * During a re-consent grace period, per workspace: how many of its members approved the app's
 * current scopes, and how many still hold an approval of the old ones. What the vendor watches.
 */
/** Per workspace during a re-consent grace period: members who approved the current scopes, and members still on an approval of fewer. */
export type ReconsentProgress = { workspace: string; renewed: number; pending: number }[]

export async function reconsentProgress(db: Db, appId: string, catalogue?: ScopeCatalogue): Promise<ReconsentProgress> {
  const app = await db.selectFrom('apps').select('scopes').where('id', '=', appId).executeTakeFirstOrThrow()
  const appScopes = JSON.parse(app.scopes) as string[]
  const rows = await db
    .selectFrom('consent_decisions')
    .innerJoin('workspace_members', 'workspace_members.user_id', 'consent_decisions.user_id')
    .innerJoin('workspaces', 'workspaces.id', 'workspace_members.workspace_id')
    .select(['workspaces.slug', 'consent_decisions.scope', 'consent_decisions.grace_ends_at', 'consent_decisions.installation_id', 'consent_decisions.workspace_slugs'])
    .where('consent_decisions.app_id', '=', appId)
    .where('consent_decisions.decision', '=', 'allow')
    .orderBy('workspaces.slug')
    .execute()
  const progress = new Map<string, { renewed: number; pending: number }>()
  for (const row of rows) {
    const chosen = row.workspace_slugs === null ? null : (JSON.parse(row.workspace_slugs) as string[])
    if (chosen !== null && !chosen.includes(row.slug)) continue
    const counts = progress.get(row.slug) ?? { renewed: 0, pending: 0 }
    if (row.grace_ends_at !== null) counts.pending++
    else if (approvalCovers(scopesOf(row, catalogue), appScopes)) counts.renewed++
    progress.set(row.slug, counts)
  }
  return [...progress].map(([workspace, counts]) => ({ workspace, ...counts }))
}

async function endDecisions(deps: ConsentDeps, rows: readonly ConsentDecisionRow[], reason: string): Promise<number> {
  let revoked = 0
  const announcements: (() => void)[] = []
  const now = deps.clock.now()
  const lifetimeMs = deps.accessTokenTtlSeconds * 1000 + CLOCK_SKEW_MS
  await inTransaction(deps.db, async (trx) => {
    for (const row of rows) {
      if (!(await queries.deleteDecision(trx, row.id))) continue
      if (row.decision !== 'allow') continue
      for (const grantId of await queries.liveGrantsOfApproval(trx, row)) {
        if (!(await revokeGrantRows(trx, grantId, now, reason))) continue
        announcements.push(await deps.revocations.record(trx, 'grant', grantId, now + lifetimeMs))
        revoked++
      }
    }
  })
  for (const announce of announcements) announce()
  return revoked
}

function subjectInstallation(subject: Pick<ConsentSubject, 'installationId' | 'perInstallation'>): string | null {
  return subject.perInstallation ? subject.installationId : null
}

function stored(row: ConsentDecisionRow, catalogue?: ScopeCatalogue): StoredDecision {
  return { decision: row.decision === 'deny' ? 'deny' : 'allow', scopes: scopesOf(row, catalogue), graceEndsAt: row.grace_ends_at }
}

function scopesOf(row: Pick<ConsentDecisionRow, 'scope'>, catalogue?: ScopeCatalogue): string[] {
  const scopes = row.scope.split(' ').filter(Boolean)
  return catalogue === undefined ? scopes : withGranularEquivalents(scopes, catalogue)
}

function workspacesOf(row: Pick<ConsentDecisionRow, 'workspace_slugs'>): string[] | null {
  return row.workspace_slugs === null ? null : (JSON.parse(row.workspace_slugs) as string[])
}

type DecisionRow = Awaited<ReturnType<ReturnType<typeof queries.decisionRows>['execute']>>[number]

function toListing(row: DecisionRow): DecisionListing {
  const descriptor = row.descriptor_document === null ? undefined : (JSON.parse(row.descriptor_document) as { vendor?: { name: string } })
  return {
    id: row.id,
    decision: row.decision === 'deny' ? 'deny' : 'allow',
    app: {
      id: row.app_id,
      clientId: row.client_id,
      name: row.app_name,
      vendorName: descriptor ? (descriptor.vendor?.name ?? row.owner_display_name ?? row.owner_username) : (row.owner_display_name ?? row.owner_username),
      kind: row.created_via === 'descriptor' ? 'installed' : 'oauth',
    },
    installation: row.installation_id !== null && row.workspace_slug !== null ? { id: row.installation_id, workspaceSlug: row.workspace_slug, workspaceName: row.workspace_name ?? row.workspace_slug } : null,
    scopes: scopesOf(row),
    workspaces: workspacesOf(row),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastUsedAt: row.last_used_at,
    graceEndsAt: row.grace_ends_at,
    username: row.username,
  }
}
