import type { Clock } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { hashSecret, isOpaqueToken, type SecretFormat } from '../domain/opaque-token.js'
import { idleCutoff, lastSeenStaleBefore, sessionExpiresAt, type SessionLifetime } from '../domain/session-lifetime.js'
import type { Db } from '../store/database.js'
import { authenticateUser } from '../users/users.service.js'
import * as queries from './sessions.queries.js'

export interface SessionDeps {
  db: Db
  clock: Clock
  lifetime: SessionLifetime
  secrets: SecretFormat
}

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

/** Where a request came from, recorded with the session it uses. */
export interface BrowserSeen {
  address: string
  userAgent: string | undefined
}

/** Long enough for any real browser's User-Agent; a longer one is cut, not refused. */
const USER_AGENT_MAX = 512

/** A new session for the holder of these credentials; undefined for wrong ones, whichever part was wrong. */
export async function signInWithPassword(
  deps: SessionDeps,
  credentials: { username: string; password: string },
  browser: BrowserSeen,
): Promise<StartedSession | undefined> {
  const user = await authenticateUser(deps.db, credentials.username, credentials.password)
  return user ? startSession(deps, user.id, browser) : undefined
}

export async function startSession(deps: SessionDeps, userId: string, browser: BrowserSeen): Promise<StartedSession> {
  const { db, clock, lifetime } = deps
  const now = clock.now()
  const token = deps.secrets.generate('session')
  const expiresAt = sessionExpiresAt(now, lifetime)
  await queries.deleteExpiredSessions(db, userId, now, idleCutoff(now, lifetime))
  await queries.insertSession(db, {
    id: newId(),
    token_hash: hashSecret(token),
    user_id: userId,
    created_at: now,
    expires_at: expiresAt,
    last_seen_at: now,
    ...recorded(browser),
  })
  return { token, expiresAt }
}

/** The user of a live session, recording this use (at most once a minute per session). */
export async function findSessionUser(deps: SessionDeps, token: string | undefined, browser: BrowserSeen): Promise<SessionUser | undefined> {
  // The checksum rejects forged or mangled cookies without a database look-up.
  if (token === undefined || !isOpaqueToken(token, 'session')) return undefined
  const { db, clock, lifetime } = deps
  const now = clock.now()
  const row = await queries.findSessionUser(db, hashSecret(token), now, idleCutoff(now, lifetime))
  if (!row) return undefined
  const staleBefore = lastSeenStaleBefore(now)
  if (row.last_seen_at < staleBefore) await queries.touchSession(db, row.session_id, staleBefore, { last_seen_at: now, ...recorded(browser) })
  return { id: row.id, username: row.username, displayName: row.display_name, isAdmin: row.is_admin === 1 }
}

export async function endSession(db: Db, token: string | undefined): Promise<void> {
  if (token === undefined || !isOpaqueToken(token, 'session')) return
  await queries.deleteSession(db, hashSecret(token))
}

function recorded(browser: BrowserSeen): { ip_address: string; user_agent: string | null } {
  return { ip_address: browser.address, user_agent: browser.userAgent?.slice(0, USER_AGENT_MAX) ?? null }
}
