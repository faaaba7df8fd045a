import type { Insertable } from 'kysely'
import type { Db } from '../store/database.js'
import type { AuthorizationCodeTable, GrantTable } from '../store/schema.js'

export async function insertGrant(db: Db, row: Insertable<GrantTable>): Promise<void> {
  await db.insertInto('grants').values(row).execute()
}

export async function insertAuthorizationCode(db: Db, row: Insertable<AuthorizationCodeTable>): Promise<void> {
  await db.insertInto('authorization_codes').values(row).execute()
}
