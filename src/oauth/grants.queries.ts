import type { Insertable } from 'kysely'
import type { Db } from '../store/database.js'
import type { AuthorizationCodeTable, GrantTable } from '../store/schema.js'

export async function insertGrant(db: Db, row: Insertable<GrantTable>): Promise<void> {
  await db.insertInto('grants').values(row).execute()
}

export async function insertAuthorizationCode(db: Db, row: Insertable<AuthorizationCodeTable>): Promise<void> {
  await db.insertInto('authorization_codes').values(row).execute()
}

export function findGrant(db: Db, id: string) {
  return db.selectFrom('grants').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findAuthorizationCodeByHash(db: Db, codeHash: string) {
  return db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst()
}

/** Marks the code used; false when another redemption got there first, so only one can ever win. */
export async function consumeAuthorizationCode(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('authorization_codes')
    .set({ consumed_at: now })
    .where('id', '=', id)
    .where('consumed_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Revokes the grant and every refresh token of its family; false when it was already revoked. */
export async function revokeGrantRows(db: Db, grantId: string, now: number, reason: string): Promise<boolean> {
  const result = await db
    .updateTable('grants')
    .set({ revoked_at: now, revoked_reason: reason })
    .where('id', '=', grantId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst()
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: now })
    .where('grant_id', '=', grantId)
    .where('revoked_at', 'is', null)
    .execute()
  return Number(result.numUpdatedRows) === 1
}

export async function deleteExpiredAuthorizationCodes(db: Db, now: number): Promise<number> {
  const result = await db.deleteFrom('authorization_codes').where('expires_at', '<=', now).executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** Grants past their absolute end; their codes and refresh tokens go with them (on delete cascade). */
export async function deleteExpiredGrants(db: Db, now: number): Promise<number> {
  const result = await db.deleteFrom('grants').where('expires_at', '<=', now).executeTakeFirst()
  return Number(result.numDeletedRows)
}
