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

/**
 * Revokes every live grant of a user and every refresh token of those families, for disabling the
 * account. Access tokens need no row each: the user's revocation cutoff covers them.
 */
export async function revokeGrantsOfUser(db: Db, userId: string, now: number, reason: string): Promise<number> {
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: now })
    .where('grant_id', 'in', (eb) => eb.selectFrom('grants').select('id').where('user_id', '=', userId))
    .where('revoked_at', 'is', null)
    .execute()
  const result = await db.updateTable('grants').set({ revoked_at: now, revoked_reason: reason }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** The same for every grant an app holds, its client-credentials grant included. */
export async function revokeGrantsOfApp(db: Db, appId: string, now: number, reason: string): Promise<number> {
  await db
    .updateTable('refresh_tokens')
    .set({ revoked_at: now })
    .where('grant_id', 'in', (eb) => eb.selectFrom('grants').select('id').where('app_id', '=', appId))
    .where('revoked_at', 'is', null)
    .execute()
  const result = await db.updateTable('grants').set({ revoked_at: now, revoked_reason: reason }).where('app_id', '=', appId).where('revoked_at', 'is', null).executeTakeFirst()
  return Number(result.numUpdatedRows)
}

/** The newest unrevoked client-credentials grant of an app that lasts beyond `usableUntil`. */
export function findUsableClientCredentialsGrant(db: Db, appId: string, usableUntil: number) {
  return db
    .selectFrom('grants')
    .select(['id', 'expires_at'])
    .where('app_id', '=', appId)
    .where('kind', '=', 'client_credentials')
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', usableUntil)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** Every unrevoked client-credentials grant of an app (normally one; two processes may have raced to make it). */
export async function listLiveClientCredentialsGrants(db: Db, appId: string): Promise<string[]> {
  const rows = await db.selectFrom('grants').select('id').where('app_id', '=', appId).where('kind', '=', 'client_credentials').where('revoked_at', 'is', null).execute()
  return rows.map((r) => r.id)
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
