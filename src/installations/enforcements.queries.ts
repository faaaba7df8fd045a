import type { Insertable } from 'kysely'
import type { Db } from '../store/database.js'
import type { EnforcementChangeTable, EnforcementReportTable, EnforcementTable } from '../store/schema.js'

export function findEnforcementRow(db: Db, name: string) {
  return db.selectFrom('enforcements').selectAll().where('name', '=', name).executeTakeFirst()
}

export function listEnforcementRows(db: Db) {
  return db.selectFrom('enforcements').selectAll().orderBy('name').execute()
}

/** One row per enforcement, replaced whole by every change. */
export async function saveEnforcement(db: Db, row: Insertable<EnforcementTable>): Promise<void> {
  await db
    .insertInto('enforcements')
    .values(row)
    .onConflict((oc) => oc.column('name').doUpdateSet({ mode: row.mode, percent: row.percent, cohort: row.cohort, updated_at: row.updated_at, updated_by: row.updated_by }))
    .execute()
}

export async function insertEnforcementChange(db: Db, row: Insertable<EnforcementChangeTable>): Promise<void> {
  await db.insertInto('enforcement_changes').values(row).execute()
}

/** Oldest first. */
export function listEnforcementChanges(db: Db, name: string) {
  return db.selectFrom('enforcement_changes').selectAll().where('name', '=', name).orderBy('changed_at').orderBy('id').execute()
}

export async function insertEnforcementReport(db: Db, row: Insertable<EnforcementReportTable>): Promise<void> {
  await db.insertInto('enforcement_reports').values(row).execute()
}

/** An app's reports, newest first, with the installation's clientKey and workspace (gone if the installation was deleted). */
export function listEnforcementReportRows(db: Db, appId: string, limit: number) {
  return db
    .selectFrom('enforcement_reports')
    .leftJoin('installations', 'installations.id', 'enforcement_reports.installation_id')
    .leftJoin('workspaces', 'workspaces.id', 'installations.workspace_id')
    .select([
      'enforcement_reports.id',
      'enforcement_reports.enforcement',
      'enforcement_reports.installation_id',
      'enforcement_reports.detail',
      'enforcement_reports.created_at',
      'installations.client_key',
      'workspaces.slug as workspace_slug',
    ])
    .where('enforcement_reports.app_id', '=', appId)
    .orderBy('enforcement_reports.created_at', 'desc')
    .orderBy('enforcement_reports.id')
    .limit(limit)
    .execute()
}

/** Which of these app keys have a descriptor, and which of these slugs a workspace. */
export async function existingCohortTargets(db: Db, appKeys: string[], workspaceSlugs: string[]): Promise<{ appKeys: Set<string>; workspaceSlugs: Set<string> }> {
  const apps = appKeys.length === 0 ? [] : await db.selectFrom('descriptors').select('key').where('key', 'in', appKeys).execute()
  const workspaces = workspaceSlugs.length === 0 ? [] : await db.selectFrom('workspaces').select('slug').where('slug', 'in', workspaceSlugs).execute()
  return { appKeys: new Set(apps.map((a) => a.key)), workspaceSlugs: new Set(workspaces.map((w) => w.slug)) }
}
