import type { Db } from '../store/database.js'

/** The workspaces `userId` is a member of, by slug; among `only` (slugs, never empty) when given. */
export function listMemberWorkspaces(db: Db, userId: string, only?: readonly string[]) {
  return db
    .selectFrom('workspaces')
    .innerJoin('workspace_members', 'workspace_members.workspace_id', 'workspaces.id')
    .select(['workspaces.id', 'workspaces.slug', 'workspaces.name'])
    .where('workspace_members.user_id', '=', userId)
    .$if(only !== undefined, (qb) => qb.where('workspaces.slug', 'in', only!))
    .orderBy('workspaces.slug')
    .execute()
}

export function findWorkspace(db: Db, id: string) {
  return db.selectFrom('workspaces').select(['id', 'slug', 'name']).where('id', '=', id).executeTakeFirst()
}
