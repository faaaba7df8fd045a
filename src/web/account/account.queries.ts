import type { Db } from '../../store/database.js'

/** The workspaces a user belongs to, with their role in each. */
export function listMemberships(db: Db, userId: string) {
  return db
    .selectFrom('workspace_members as m')
    .innerJoin('workspaces as w', 'w.id', 'm.workspace_id')
    .select(['w.slug', 'w.name', 'm.role', 'm.created_at'])
    .where('m.user_id', '=', userId)
    .orderBy('w.name')
    .orderBy('w.slug')
    .execute()
}
