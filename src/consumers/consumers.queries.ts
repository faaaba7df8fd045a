import { toApp, type App } from '../apps/app.js'
import type { Db } from '../store/database.js'

/** A workspace as the console names it. */
export interface WorkspaceRef {
  id: string
  slug: string
  name: string
}

/** An app with what the console shows beside it: its workspace and its owner's username. */
export interface ConsumerRow {
  app: App
  workspace: WorkspaceRef | null
  ownerUsername: string | null
}

/** The workspaces `userId` administers (role `owner`), by slug. */
export async function listAdministeredWorkspaces(db: Db, userId: string): Promise<WorkspaceRef[]> {
  return db
    .selectFrom('workspaces')
    .innerJoin('workspace_members', 'workspace_members.workspace_id', 'workspaces.id')
    .select(['workspaces.id', 'workspaces.slug', 'workspaces.name'])
    .where('workspace_members.user_id', '=', userId)
    .where('workspace_members.role', '=', 'owner')
    .orderBy('workspaces.slug')
    .execute()
}

export async function administersWorkspace(db: Db, workspaceId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('workspace_members')
    .select('user_id')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .where('role', '=', 'owner')
    .executeTakeFirst()
  return row !== undefined
}

/** Apps `userId` owns, and apps of the workspaces they administer: newest first. */
export async function listManagedApps(db: Db, userId: string): Promise<ConsumerRow[]> {
  const rows = await consumerRows(db)
    .where((eb) =>
      eb.or([
        eb('apps.owner_id', '=', userId),
        eb(
          'apps.workspace_id',
          'in',
          eb.selectFrom('workspace_members').select('workspace_id').where('user_id', '=', userId).where('role', '=', 'owner'),
        ),
      ]),
    )
    .orderBy('apps.created_at', 'desc')
    .orderBy('apps.client_id')
    .execute()
  return rows.map(toConsumerRow)
}

export async function findConsumerRow(db: Db, clientId: string): Promise<ConsumerRow | undefined> {
  const row = await consumerRows(db).where('apps.client_id', '=', clientId).executeTakeFirst()
  return row ? toConsumerRow(row) : undefined
}

/** OAuth consumers only: an installed app's backing app is managed through its descriptor (Developer → Installed apps). */
function consumerRows(db: Db) {
  return db
    .selectFrom('apps')
    .where('apps.created_via', '!=', 'descriptor')
    .leftJoin('users as owner', 'owner.id', 'apps.owner_id')
    .leftJoin('workspaces', 'workspaces.id', 'apps.workspace_id')
    .selectAll('apps')
    .select(['owner.disabled_at as owner_disabled_at', 'owner.username as owner_username', 'workspaces.slug as workspace_slug', 'workspaces.name as workspace_name'])
}

type Row = Awaited<ReturnType<ReturnType<typeof consumerRows>['executeTakeFirstOrThrow']>>

function toConsumerRow(row: Row): ConsumerRow {
  return {
    app: toApp(row),
    workspace: row.workspace_id !== null && row.workspace_slug !== null ? { id: row.workspace_id, slug: row.workspace_slug, name: row.workspace_name ?? row.workspace_slug } : null,
    ownerUsername: row.owner_username,
  }
}
