import type { Insertable } from 'kysely'
import type { Db } from '../store/database.js'
import type { RefreshTokenTable } from '../store/schema.js'

export async function insertRefreshToken(db: Db, row: Insertable<RefreshTokenTable>): Promise<void> {
  await db.insertInto('refresh_tokens').values(row).execute()
}

/** The refresh token with its grant's state and its user's, everything a refresh or an introspection decides on. */
export function findRefreshTokenByHash(db: Db, tokenHash: string) {
  return db
    .selectFrom('refresh_tokens as rt')
    .innerJoin('grants as g', 'g.id', 'rt.grant_id')
    .innerJoin('users as u', 'u.id', 'rt.user_id')
    .select([
      'rt.id', 'rt.grant_id', 'rt.app_id', 'rt.user_id', 'rt.scope', 'rt.created_at', 'rt.expires_at', 'rt.used_at', 'rt.revoked_at',
      'g.expires_at as grant_expires_at', 'g.revoked_at as grant_revoked_at',
      'u.username', 'u.disabled_at as user_disabled_at',
    ])
    .where('rt.token_hash', '=', tokenHash)
    .executeTakeFirst()
}

export type RefreshTokenRecord = NonNullable<Awaited<ReturnType<typeof findRefreshTokenByHash>>>

/** Marks the token used; false when a concurrent refresh already did, so exactly one rotation wins. */
export async function markRefreshTokenUsed(db: Db, id: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('refresh_tokens')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export async function findRefreshTokenUsedAt(db: Db, id: string): Promise<number | null> {
  const row = await db.selectFrom('refresh_tokens').select('used_at').where('id', '=', id).executeTakeFirst()
  return row?.used_at ?? null
}

export async function deleteExpiredRefreshTokens(db: Db, now: number): Promise<number> {
  const result = await db.deleteFrom('refresh_tokens').where('expires_at', '<=', now).executeTakeFirst()
  return Number(result.numDeletedRows)
}
