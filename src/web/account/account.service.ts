import { NotFoundError } from '../../errors.js'
import { idleCutoff } from '../../domain/session-lifetime.js'
import { describeUserAgent } from '../../domain/user-agent.js'
import { inTransaction, type Db } from '../../store/database.js'
import { changePassword, findUserById } from '../../users/users.service.js'
import * as sessions from '../sessions.queries.js'
import type { SessionDeps } from '../sessions.service.js'
import { listMemberships } from './account.queries.js'

/**
 * What the Account pages of the settings area do for the signed-in user: their profile, their
 * password, their sessions. Every function acts on the user it is given and nobody else; the
 * current session is named by its token's hash, so it is never ended by mistake.
 */
export type AccountDeps = Pick<SessionDeps, 'db' | 'clock' | 'lifetime'>

export interface Profile {
  username: string
  displayName: string
  isAdmin: boolean
  memberSince: number
  workspaces: { slug: string; name: string; role: string; joinedAt: number }[]
}

export interface ListedSession {
  id: string
  /** The session of the browser asking. */
  current: boolean
  /** "Chrome on Linux", from the User-Agent of its last recorded use. */
  browser: string
  address: string | null
  signedInAt: number
  /** Recorded at most once a minute (`LAST_SEEN_RESOLUTION_MS`), so up to a minute behind. */
  lastSeenAt: number
}

export async function loadProfile(db: Db, userId: string): Promise<Profile> {
  const user = await findUserById(db, userId)
  if (!user) throw new NotFoundError('This account no longer exists')
  const memberships = await listMemberships(db, userId)
  return {
    username: user.username,
    displayName: user.display_name,
    isAdmin: user.is_admin === 1,
    memberSince: user.created_at,
    workspaces: memberships.map((m) => ({ slug: m.slug, name: m.name, role: m.role, joinedAt: m.created_at })),
  }
}

/**
 * Changes the password if `currentPassword` is right, ending every other session of the account in
 * the same transaction (whoever signed in with the old password is signed out; this browser stays).
 * Undefined, with nothing changed, when the current password is wrong.
 */
export function changeOwnPassword(
  deps: AccountDeps,
  input: { username: string; currentPassword: string; newPassword: string; keepSessionHash: string },
): Promise<{ endedSessions: number } | undefined> {
  return changePassword(deps.db, input, async (trx, user) => ({ endedSessions: await endOtherSessionsIn(trx, deps, user.id, input.keepSessionHash) }))
}

/** The user's live sessions, this browser's first, then the most recently used. */
export async function listSessions(deps: AccountDeps, userId: string, currentSessionHash: string): Promise<ListedSession[]> {
  const now = deps.clock.now()
  const rows = await sessions.listLiveSessions(deps.db, userId, now, idleCutoff(now, deps.lifetime))
  const listed = rows.map((row) => ({
    id: row.id,
    current: row.token_hash === currentSessionHash,
    browser: describeUserAgent(row.user_agent),
    address: row.ip_address,
    signedInAt: row.created_at,
    lastSeenAt: row.last_seen_at,
  }))
  return [...listed.filter((s) => s.current), ...listed.filter((s) => !s.current)]
}

/** Ends every session of the user but this browser's; returns how many live ones there were. */
export function endOtherSessions(deps: AccountDeps, userId: string, currentSessionHash: string): Promise<number> {
  return inTransaction(deps.db, (trx) => endOtherSessionsIn(trx, deps, userId, currentSessionHash))
}

/**
 * Ends one of the user's sessions. Another user's session id is refused as if it did not exist
 * (404), so ids reveal nothing. Returns whether it was this browser's own (the caller signs it out).
 */
export async function endSessionOfUser(deps: AccountDeps, userId: string, sessionId: string, currentSessionHash: string): Promise<{ wasCurrent: boolean }> {
  const session = await sessions.findSessionOfUser(deps.db, userId, sessionId)
  if (!session) throw new NotFoundError('There is no such session of yours; it may have ended already')
  await sessions.deleteSessionById(deps.db, session.id)
  return { wasCurrent: session.token_hash === currentSessionHash }
}

async function endOtherSessionsIn(trx: Db, deps: AccountDeps, userId: string, keepSessionHash: string): Promise<number> {
  const now = deps.clock.now()
  // Ended ones first, so the count is of sessions that were still signed in.
  await sessions.deleteExpiredSessions(trx, userId, now, idleCutoff(now, deps.lifetime))
  return sessions.deleteOtherSessions(trx, userId, keepSessionHash)
}
