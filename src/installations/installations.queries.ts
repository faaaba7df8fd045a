import type { Insertable } from 'kysely'
import type { Db } from '../store/database.js'
import type { InstallationTable } from '../store/schema.js'

export function findWorkspaceBySlug(db: Db, slug: string) {
  return db.selectFrom('workspaces').select(['id', 'slug', 'name', 'tenant_id', 'previous_tenant_id']).where('slug', '=', slug).executeTakeFirst()
}

export async function listWorkspaceOwners(db: Db, workspaceId: string): Promise<{ id: string; username: string }[]> {
  return db
    .selectFrom('workspace_members')
    .innerJoin('users', 'users.id', 'workspace_members.user_id')
    .select(['users.id', 'users.username'])
    .where('workspace_members.workspace_id', '=', workspaceId)
    .where('workspace_members.role', '=', 'owner')
    .where('users.disabled_at', 'is', null)
    .orderBy('users.username')
    .execute()
}

/** The installation of an app in a workspace that holds its place: installing, installed or disabled. */
export function findLiveInstallation(db: Db, appId: string, workspaceId: string) {
  return db
    .selectFrom('installations')
    .selectAll()
    .where('app_id', '=', appId)
    .where('workspace_id', '=', workspaceId)
    .where('state', 'in', ['installing', 'installed', 'disabled'])
    .executeTakeFirst()
}

/** The clientKey the app last had in a tenant, if it was ever installed there. */
export async function findClientKeyInTenant(db: Db, appId: string, tenantId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('installations')
    .select('client_key')
    .where('app_id', '=', appId)
    .where('tenant_id', '=', tenantId)
    .where('state', '!=', 'installing')
    .orderBy('created_at', 'desc')
    .executeTakeFirst()
  return row?.client_key
}

export async function insertInstallation(db: Db, row: Insertable<InstallationTable>): Promise<void> {
  await db.insertInto('installations').values(row).execute()
}

export async function deleteInstallation(db: Db, id: string): Promise<void> {
  await db.deleteFrom('installations').where('id', '=', id).execute()
}

/** A place held by an install whose process died while asking the app. */
export async function deleteAbandonedInstall(db: Db, appId: string, workspaceId: string, startedBefore: number): Promise<void> {
  await db.deleteFrom('installations').where('app_id', '=', appId).where('workspace_id', '=', workspaceId).where('state', '=', 'installing').where('created_at', '<', startedBefore).execute()
}

/** Moves an installation from one state to another; false if it was no longer in `from` (another change came first). */
export async function moveState(db: Db, id: string, from: readonly string[], to: string, now: number, extra: Partial<Pick<InstallationTable, 'app_user_id' | 'ended_at' | 'shared_secret_sealed' | 'kek_id' | 'previous_secret_sealed' | 'previous_kek_id' | 'previous_secret_expires_at'>> = {}): Promise<boolean> {
  const result = await db
    .updateTable('installations')
    .set({ state: to, updated_at: now, ...extra })
    .where('id', '=', id)
    .where('state', 'in', [...from])
    .executeTakeFirst()
  return Number(result.numUpdatedRows) > 0
}

export async function liveGrantIds(db: Db, installationId: string): Promise<string[]> {
  const rows = await db.selectFrom('grants').select('id').where('installation_id', '=', installationId).where('revoked_at', 'is', null).execute()
  return rows.map((r) => r.id)
}

/** Installations with their app's key and name and their workspace's slug, newest first. */
export function installationRows(db: Db) {
  return db
    .selectFrom('installations')
    .innerJoin('descriptors', 'descriptors.app_id', 'installations.app_id')
    .innerJoin('apps', 'apps.id', 'installations.app_id')
    .innerJoin('workspaces', 'workspaces.id', 'installations.workspace_id')
    .leftJoin('users as installer', 'installer.id', 'installations.installed_by')
    .selectAll('installations')
    .select(['descriptors.key as app_key', 'apps.name as app_name', 'workspaces.slug as workspace_slug', 'workspaces.name as workspace_name', 'installer.username as installed_by_username'])
    .where('installations.state', '!=', 'installing')
    .orderBy('installations.created_at', 'desc')
}

export function listDeliveries(db: Db, appId: string, limit: number) {
  return db
    .selectFrom('callback_deliveries')
    .innerJoin('installations', 'installations.id', 'callback_deliveries.installation_id')
    .innerJoin('workspaces', 'workspaces.id', 'installations.workspace_id')
    .selectAll('callback_deliveries')
    .select(['installations.client_key', 'workspaces.slug as workspace_slug'])
    .where('installations.app_id', '=', appId)
    .orderBy('callback_deliveries.created_at', 'desc')
    .orderBy('callback_deliveries.sequence', 'desc')
    .limit(limit)
    .execute()
}
