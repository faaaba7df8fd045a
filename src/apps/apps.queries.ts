import type { Db } from '../store/database.js'
import { toApp, type App } from './app.js'

/** The app with this client_id, disabled ones included (callers decide what disabled means). */
export async function findAppByClientId(db: Db, clientId: string): Promise<App | undefined> {
  const row = await db.selectFrom('apps').selectAll().where('client_id', '=', clientId).executeTakeFirst()
  return row ? toApp(row) : undefined
}
