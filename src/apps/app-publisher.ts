import type { Db } from '../store/database.js'
import { findUserById } from '../users/users.queries.js'
import type { App } from './app.js'

/**
 * Who stands behind an app, as people deciding whether to trust it are told ("by …"): the workspace
 * it belongs to, else its owner's display name (or username); undefined when it has neither (an
 * operator registered it without an owner), so nothing is said rather than a guess.
 */
export async function appPublisher(db: Db, app: Pick<App, 'ownerId' | 'workspaceId'>): Promise<string | undefined> {
  if (app.workspaceId !== null) {
    // The table directly: platform/ sits behind the gateway, which depends on oauth, which depends on apps.
    const workspace = await db.selectFrom('workspaces').select('name').where('id', '=', app.workspaceId).executeTakeFirst()
    if (workspace) return workspace.name
  }
  if (app.ownerId !== null) {
    const owner = await findUserById(db, app.ownerId)
    if (owner) return owner.display_name.trim() || owner.username
  }
  return undefined
}
