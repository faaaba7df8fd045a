import type { Insertable } from 'kysely'
import type { Db } from '../store/database.js'
import type { RegistrationTokenTable } from '../store/schema.js'

export async function insertRegistrationToken(db: Db, row: Insertable<RegistrationTokenTable>): Promise<void> {
  await db.insertInto('registration_tokens').values(row).execute()
}

export async function isRegistrationTokenLive(db: Db, tokenHash: string, now: number): Promise<boolean> {
  const row = await db
    .selectFrom('registration_tokens')
    .select('id')
    .where('token_hash', '=', tokenHash)
    .where('uses_left', '>', 0)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  return row !== undefined
}

/** Takes one use in a single conditional update, so concurrent registrations cannot overspend a token. */
export async function takeRegistrationTokenUse(db: Db, tokenHash: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('registration_tokens')
    .set((eb) => ({ uses_left: eb('uses_left', '-', 1) }))
    .where('token_hash', '=', tokenHash)
    .where('uses_left', '>', 0)
    .where('expires_at', '>', now)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function deleteSpentRegistrationTokens(db: Db, now: number): Promise<number> {
  const result = await db
    .deleteFrom('registration_tokens')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('uses_left', '<=', 0)]))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}
