import type { Clock } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { generateOpaqueToken, hashSecret, isOpaqueToken } from '../domain/opaque-token.js'
import type { Db } from '../store/database.js'
import { authenticateUser } from '../users/users.service.js'
import * as queries from './sessions.queries.js'

/** Who a browser session belongs to, as pages and the authorization endpoint need it. */
export interface SessionUser {
  id: string
  username: string
  displayName: string
  isAdmin: boolean
}

export interface StartedSession {
  token: string
  expiresAt: number
}

/** A new session for the holder of these credentials; undefined for wrong ones, whichever part was wrong. */
export async function signInWithPassword(
  db: Db,
  clock: Clock,
  ttlSeconds: number,
  credentials: { username: string; password: string },
): Promise<StartedSession | undefined> {
  const user = await authenticateUser(db, credentials.username, credentials.password)
  return user ? startSession(db, clock.now(), ttlSeconds, user.id) : undefined
}

export async function startSession(db: Db, now: number, ttlSeconds: number, userId: string): Promise<StartedSession> {
  const token = generateOpaqueToken('session')
  const expiresAt = now + ttlSeconds * 1000
  await queries.deleteExpiredSessions(db, userId, now)
  await queries.insertSession(db, { id: newId(), token_hash: hashSecret(token), user_id: userId, created_at: now, expires_at: expiresAt, last_seen_at: now })
  return { token, expiresAt }
}

export async function findSessionUser(db: Db, now: number, token: string | undefined): Promise<SessionUser | undefined> {
  // The checksum rejects forged or mangled cookies without a database look-up.
  if (token === undefined || !isOpaqueToken(token, 'session')) return undefined
  const row = await queries.findSessionUser(db, hashSecret(token), now)
  return row ? { id: row.id, username: row.username, displayName: row.display_name, isAdmin: row.is_admin === 1 } : undefined
}

export async function endSession(db: Db, token: string | undefined): Promise<void> {
  if (token === undefined || !isOpaqueToken(token, 'session')) return
  await queries.deleteSession(db, hashSecret(token))
}
