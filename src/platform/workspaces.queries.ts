import type { Insertable } from 'kysely'
import type { Db } from '../store/database.js'
import type { WorkspaceMemberTable, WorkspaceTable } from '../store/schema.js'

interface Window {
  limit: number
  offset: number
}

export async function insertWorkspace(db: Db, row: Insertable<WorkspaceTable>): Promise<void> {
  await db.insertInto('workspaces').values(row).execute()
}

export async function insertMembers(db: Db, rows: Insertable<WorkspaceMemberTable>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('workspace_members').values(rows).execute()
}

export function findWorkspaceById(db: Db, id: string) {
  return db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst()
}

/** The workspace with this slug and the user's role in it; undefined if either is missing. */
export function findMembership(db: Db, slug: string, userId: string) {
  return db
    .selectFrom('workspaces')
    .innerJoin('workspace_members', 'workspace_members.workspace_id', 'workspaces.id')
    .selectAll('workspaces')
    .select('workspace_members.role')
    .where('workspaces.slug', '=', slug)
    .where('workspace_members.user_id', '=', userId)
    .executeTakeFirst()
}

/** The user's workspaces, among `only` (slugs, never empty) when given. */
export function listWorkspacesOfUser(db: Db, userId: string, { limit, offset }: Window, only?: readonly string[]) {
  return db
    .selectFrom('workspaces')
    .innerJoin('workspace_members', 'workspace_members.workspace_id', 'workspaces.id')
    .selectAll('workspaces')
    .where('workspace_members.user_id', '=', userId)
    .$if(only !== undefined, (qb) => qb.where('workspaces.slug', 'in', only!))
    .orderBy('workspaces.slug')
    .limit(limit)
    .offset(offset)
    .execute()
}

export async function countWorkspacesOfUser(db: Db, userId: string, only?: readonly string[]): Promise<number> {
  const row = await db
    .selectFrom('workspace_members')
    .innerJoin('workspaces', 'workspaces.id', 'workspace_members.workspace_id')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('workspace_members.user_id', '=', userId)
    .$if(only !== undefined, (qb) => qb.where('workspaces.slug', 'in', only!))
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

export function listMembers(db: Db, workspaceId: string, { limit, offset }: Window) {
  return db
    .selectFrom('workspace_members')
    .innerJoin('users', 'users.id', 'workspace_members.user_id')
    .select(['workspace_members.role', 'users.id', 'users.username', 'users.display_name', 'users.created_at'])
    .where('workspace_members.workspace_id', '=', workspaceId)
    .orderBy('users.username')
    .limit(limit)
    .offset(offset)
    .execute()
}

export async function countMembers(db: Db, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('workspace_members')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/** The ids among `ids` that name existing users. */
export async function existingUserIds(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db.selectFrom('users').select('id').where('id', 'in', ids).execute()
  return new Set(rows.map((row) => row.id))
}

export function findUserById(db: Db, id: string) {
  return db.selectFrom('users').select(['id', 'username', 'display_name', 'created_at', 'disabled_at']).where('id', '=', id).executeTakeFirst()
}

/** Every workspace, by slug. */
export function listAllWorkspaces(db: Db) {
  return db.selectFrom('workspaces').selectAll().orderBy('slug').execute()
}

/** Every membership with the member's username, by username. */
export function listAllMemberships(db: Db) {
  return db
    .selectFrom('workspace_members')
    .innerJoin('users', 'users.id', 'workspace_members.user_id')
    .select(['workspace_members.workspace_id', 'workspace_members.role', 'users.username'])
    .orderBy('users.username')
    .execute()
}
