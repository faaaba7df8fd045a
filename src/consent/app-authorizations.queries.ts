import type { Db } from '../store/database.js'

/** The user's workspaces by slug, to name the ones an approval chose. */
export async function workspaceNamesOfUser(db: Db, userId: string): Promise<Map<string, string>> {
  const rows = await db
    .selectFrom('workspace_members as m')
    .innerJoin('workspaces as w', 'w.id', 'm.workspace_id')
    .select(['w.slug', 'w.name'])
    .where('m.user_id', '=', userId)
    .execute()
  return new Map(rows.map((row) => [row.slug, row.name]))
}

/** An app's name, for the notice after a decision about it ended (the decision is gone by then). */
export async function appNameOf(db: Db, clientId: string): Promise<string | undefined> {
  return (await db.selectFrom('apps').select('name').where('client_id', '=', clientId).executeTakeFirst())?.name
}

/** An app by client_id, for the admin's decisions page. */
export function findAppByClientId(db: Db, clientId: string) {
  return db.selectFrom('apps').select(['id', 'client_id', 'name', 'created_via', 'disabled_at']).where('client_id', '=', clientId).executeTakeFirst()
}

/** The client_id of the app a decision of this user is about; undefined when it is not theirs. */
export async function appOfDecision(db: Db, userId: string, decisionId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('consent_decisions as d')
    .innerJoin('apps', 'apps.id', 'd.app_id')
    .select('apps.client_id')
    .where('d.id', '=', decisionId)
    .where('d.user_id', '=', userId)
    .executeTakeFirst()
  return row?.client_id
}
