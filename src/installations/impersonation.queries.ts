import type { Db } from '../store/database.js'

/** The user an assertion names, with their role in the workspace (null: not a member). */
export function findUserInWorkspace(db: Db, userId: string, workspaceId: string) {
  return db
    .selectFrom('users')
    .leftJoin('workspace_members', (join) =>
      join.onRef('workspace_members.user_id', '=', 'users.id').on('workspace_members.workspace_id', '=', workspaceId),
    )
    .select(['users.id', 'users.username', 'users.kind', 'users.disabled_at', 'workspace_members.role'])
    .where('users.id', '=', userId)
    .executeTakeFirst()
}
