import type { Db } from '../store/database.js'

/** What the console pages read beside the services: workspaces as the signed-in person sees them. */

export type WorkspaceRole = 'owner' | 'member'

export interface MembershipRow {
  id: string
  slug: string
  name: string
  role: WorkspaceRole
  /** Installations that hold a secret (installed or disabled). */
  apps: number
}

/** The workspaces `userId` belongs to, with their role and how many apps are installed there, by slug. */
export async function listMemberships(db: Db, userId: string): Promise<MembershipRow[]> {
  const rows = await db
    .selectFrom('workspace_members')
    .innerJoin('workspaces', 'workspaces.id', 'workspace_members.workspace_id')
    .select((eb) => [
      'workspaces.id',
      'workspaces.slug',
      'workspaces.name',
      'workspace_members.role',
      eb
        .selectFrom('installations')
        .select((count) => count.fn.countAll<number | string>().as('n'))
        .whereRef('installations.workspace_id', '=', 'workspaces.id')
        .where('installations.state', 'in', ['installed', 'disabled'])
        .as('apps'),
    ])
    .where('workspace_members.user_id', '=', userId)
    .orderBy('workspaces.slug')
    .execute()
  return rows.map((row) => ({ id: row.id, slug: row.slug, name: row.name, role: row.role as WorkspaceRole, apps: Number(row.apps ?? 0) }))
}

/** A workspace by slug, with `userId`'s role in it (null when not a member). */
export async function findWorkspaceWithRole(db: Db, slug: string, userId: string): Promise<{ id: string; slug: string; name: string; role: WorkspaceRole | null } | undefined> {
  const row = await db
    .selectFrom('workspaces')
    .leftJoin('workspace_members', (join) => join.onRef('workspace_members.workspace_id', '=', 'workspaces.id').on('workspace_members.user_id', '=', userId))
    .select(['workspaces.id', 'workspaces.slug', 'workspaces.name', 'workspace_members.role'])
    .where('workspaces.slug', '=', slug)
    .executeTakeFirst()
  return row && { id: row.id, slug: row.slug, name: row.name, role: (row.role as WorkspaceRole | null) ?? null }
}
