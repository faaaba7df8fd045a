import type { Db } from '../store/database.js'
import type { ConsentDecisionTable } from '../store/schema.js'
import type { Insertable } from 'kysely'

/** The decision of a user about an app, or about one installation of it (`installationId` set: a classic add-on). */
export function findDecision(db: Db, userId: string, appId: string, installationId: string | null) {
  let query = db.selectFrom('consent_decisions').selectAll().where('user_id', '=', userId).where('app_id', '=', appId)
  query = installationId === null ? query.where('installation_id', 'is', null) : query.where('installation_id', '=', installationId)
  return query.executeTakeFirst()
}

export async function insertDecision(db: Db, row: Insertable<ConsentDecisionTable>): Promise<void> {
  await db.insertInto('consent_decisions').values(row).execute()
}

export async function replaceDecision(db: Db, id: string, fields: Pick<ConsentDecisionTable, 'decision' | 'scope' | 'workspace_slugs' | 'grace_ends_at' | 'updated_at'>): Promise<void> {
  await db.updateTable('consent_decisions').set(fields).where('id', '=', id).execute()
}

export async function deleteDecision(db: Db, id: string): Promise<boolean> {
  const result = await db.deleteFrom('consent_decisions').where('id', '=', id).executeTakeFirst()
  return Number(result.numDeletedRows) > 0
}

export async function touchDecision(db: Db, id: string, now: number): Promise<void> {
  await db.updateTable('consent_decisions').set({ last_used_at: now }).where('id', '=', id).execute()
}

/** Approvals of an app (of one installation, if given), to end or put in a grace period when the app asks for more. */
export function listApprovals(db: Db, appId: string, installationId: string | null) {
  let query = db.selectFrom('consent_decisions').selectAll().where('app_id', '=', appId).where('decision', '=', 'allow')
  if (installationId !== null) query = query.where('installation_id', '=', installationId)
  return query.execute()
}

export async function startGrace(db: Db, ids: string[], endsAt: number, now: number): Promise<void> {
  if (ids.length === 0) return
  await db.updateTable('consent_decisions').set({ grace_ends_at: endsAt, updated_at: now }).where('id', 'in', ids).where('grace_ends_at', 'is', null).execute()
}

export function listGraceOver(db: Db, now: number) {
  return db.selectFrom('consent_decisions').selectAll().where('decision', '=', 'allow').where('grace_ends_at', '<=', now).execute()
}

/** Live grants a user's approval made: what ends with it (not the app's own client-credentials grant, nor an installation's). */
export async function liveGrantsOfApproval(db: Db, decision: { user_id: string; app_id: string; installation_id: string | null }): Promise<string[]> {
  let query = db
    .selectFrom('grants')
    .select('id')
    .where('user_id', '=', decision.user_id)
    .where('app_id', '=', decision.app_id)
    .where('revoked_at', 'is', null)
    .where('kind', 'not in', ['client_credentials', 'installation'])
  if (decision.installation_id !== null) query = query.where('installation_id', '=', decision.installation_id)
  return (await query.execute()).map((row) => row.id)
}

/** Decisions with what the App authorizations page shows beside them. */
export function decisionRows(db: Db) {
  return db
    .selectFrom('consent_decisions')
    .innerJoin('apps', 'apps.id', 'consent_decisions.app_id')
    .innerJoin('users', 'users.id', 'consent_decisions.user_id')
    .leftJoin('users as owner', 'owner.id', 'apps.owner_id')
    .leftJoin('descriptors', 'descriptors.app_id', 'apps.id')
    .leftJoin('installations', 'installations.id', 'consent_decisions.installation_id')
    .leftJoin('workspaces', 'workspaces.id', 'installations.workspace_id')
    .selectAll('consent_decisions')
    .select([
      'apps.client_id',
      'apps.name as app_name',
      'apps.created_via',
      'apps.homepage_url',
      'owner.username as owner_username',
      'owner.display_name as owner_display_name',
      'descriptors.document as descriptor_document',
      'workspaces.slug as workspace_slug',
      'workspaces.name as workspace_name',
      'users.username',
    ])
    .orderBy('consent_decisions.updated_at', 'desc')
}
