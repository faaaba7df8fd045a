import type { Insertable } from 'kysely'
import type { Db } from '../store/database.js'
import type { SessionTable } from '../store/schema.js'

export async function insertSession(db: Db, row: Insertable<SessionTable>): Promise<void> {
  await db.insertInto('sessions').values(row).execute()
}

/** The user of a session neither past its end nor idle since `lastSeenAfter`, unless that user has been disabled since. */
export function findSessionUser(db: Db, tokenHash: string, now: number, lastSeenAfter: number) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['sessions.id as session_id', 'sessions.last_seen_at', 'users.id', 'users.username', 'users.display_name', 'users.is_admin'])
    .where('sessions.token_hash', '=', tokenHash)
    .where('sessions.expires_at', '>', now)
    .where('sessions.last_seen_at', '>', lastSeenAfter)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst()
}

/**
 * Records a use, unless one was recorded since `staleBefore`: the condition makes concurrent
 * requests of one browser write once, and most page views write nothing.
 */
export async function touchSession(
  db: Db,
  id: string,
  staleBefore: number,
  use: Pick<SessionTable, 'last_seen_at' | 'ip_address' | 'user_agent'>,
): Promise<void> {
  await db.updateTable('sessions').set(use).where('id', '=', id).where('last_seen_at', '<', staleBefore).execute()
}

export async function deleteSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute()
}

/** A user's sessions past their end or idle since `lastSeenAfter`; called at sign-in so the table does not grow without bound. */
export async function deleteExpiredSessions(db: Db, userId: string, now: number, lastSeenAfter: number): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', lastSeenAfter)]))
    .execute()
}

/** Every session past its end or idle since `lastSeenAfter`, whoever it belonged to; returns how many went. */
export async function deleteAllExpiredSessions(db: Db, now: number, lastSeenAfter: number): Promise<number> {
  const result = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('last_seen_at', '<=', lastSeenAfter)]))
    .executeTakeFirst()
  return Number(result.numDeletedRows)
}

/** A user's sessions neither past their end nor idle since `lastSeenAfter`, most recently used first. */
export function listLiveSessions(db: Db, userId: string, now: number, lastSeenAfter: number) {
  return db
    .selectFrom('sessions')
    .select(['id', 'token_hash', 'created_at', 'last_seen_at', 'ip_address', 'user_agent'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', now)
    .where('last_seen_at', '>', lastSeenAfter)
    .orderBy('last_seen_at', 'desc')
    .orderBy('created_at', 'desc')
    .execute()
}

/** The session with this id if it is `userId`'s; undefined for another user's, as for none. */
export function findSessionOfUser(db: Db, userId: string, id: string) {
  return db.selectFrom('sessions').select(['id', 'token_hash']).where('id', '=', id).where('user_id', '=', userId).executeTakeFirst()
}

export async function deleteSessionById(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute()
}

/** Every session of a user but the one whose token hashes to `keepTokenHash`; returns how many went. */
export async function deleteOtherSessions(db: Db, userId: string, keepTokenHash: string): Promise<number> {
  const result = await db.deleteFrom('sessions').where('user_id', '=', userId).where('token_hash', '!=', keepTokenHash).executeTakeFirst()
  return Number(result.numDeletedRows)
}
