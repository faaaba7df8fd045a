import type { Db } from '../store/database.js'

/** The workspaces a user belongs to, by slug: what the consent page offers and the decision is checked against. */
export function listWorkspacesOfMember(db: Db, userId: string) {
  return db
    .selectFrom('workspaces')
    .innerJoin('workspace_members', 'workspace_members.workspace_id', 'workspaces.id')
    .select(['workspaces.slug', 'workspaces.name'])
    .where('workspace_members.user_id', '=', userId)
    .orderBy('workspaces.slug')
    .execute()
}
