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
      'rt.id', 'rt.grant_id', 'rt.app_id', 'rt.user_id', 'rt.scope', 'rt.created_at', 'rt.expires_at', 'rt.used_at', 'rt.revoked_at', 'rt.successor_sealed',
      'g.expires_at as grant_expires_at', 'g.revoked_at as grant_revoked_at', 'g.workspace_slugs as grant_workspace_slugs',
      'u.username', 'u.disabled_at as user_disabled_at',
    ])
    .where('rt.token_hash', '=', tokenHash)
    .executeTakeFirst()
}

export type RefreshTokenRecord = NonNullable<Awaited<ReturnType<typeof findRefreshTokenByHash>>>

/**
 * Marks the token used, keeping its sealed successor when there is a grace window; false when a
 * concurrent refresh already did, so exactly one rotation wins.
 */
export async function markRefreshTokenUsed(db: Db, id: string, now: number, successorSealed: string | null): Promise<boolean> {
  const result = await db
    .updateTable('refresh_tokens')
    .set({ used_at: now, successor_sealed: successorSealed })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** When the token was first used and what its first use left for retries. */
export function findRefreshTokenUse(db: Db, id: string) {
  return db.selectFrom('refresh_tokens').select(['used_at', 'successor_sealed']).where('id', '=', id).executeTakeFirst()
}

/** Longer than any reuse grace window (GATEHOUSE_REFRESH_REUSE_GRACE is at most 60 s). */
const SEALED_SUCCESSOR_KEPT_MS = 60_000

/**
 * Deletes expired refresh tokens, and erases sealed successors whose retry window is over: past it
 * nothing reads them, and a database copy should not hold them.
 */
export async function deleteExpiredRefreshTokens(db: Db, now: number): Promise<number> {
  await db
    .updateTable('refresh_tokens')
    .set({ successor_sealed: null })
    .where('successor_sealed', 'is not', null)
    .where('used_at', '<=', now - SEALED_SUCCESSOR_KEPT_MS)
    .execute()
  const result = await db.deleteFrom('refresh_tokens').where('expires_at', '<=', now).executeTakeFirst()
  return Number(result.numDeletedRows)
}
