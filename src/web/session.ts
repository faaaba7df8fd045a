import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { clearCookie, readCookie, writeCookie } from './cookies.js'
import { endSession, findSessionUser, type BrowserSeen, type SessionDeps, type SessionUser, type StartedSession } from './sessions.service.js'

export type { SessionUser } from './sessions.service.js'

const resolved = new WeakMap<FastifyRequest, Promise<SessionUser | undefined>>()

export function sessionDeps(server: FastifyInstance): SessionDeps {
  const { db, clock, config, secrets } = server
  return { db, clock, secrets, lifetime: { ttlSeconds: config.sessionTtlSeconds, idleTtlSeconds: config.sessionIdleTtlSeconds } }
}

export function browserSeen(request: FastifyRequest): BrowserSeen {
  return { address: request.ip, userAgent: request.headers['user-agent'] }
}

/** The signed-in user of this request, or undefined; looked up (and the use recorded) once per request. */
export function currentUser(request: FastifyRequest): Promise<SessionUser | undefined> {
  let user = resolved.get(request)
  if (!user) {
    user = findSessionUser(sessionDeps(request.server), sessionToken(request), browserSeen(request))
    resolved.set(request, user)
  }
  return user
}

export function sessionToken(request: FastifyRequest): string | undefined {
  return readCookie(request, 'session')
}

/**
 * After a successful sign-in: the browser's previous session (if any) ends, the new one's cookie
 * lives as long as the session can, and the pre-session cookie goes, so every form token shown
 * before the sign-in stops working (tokens derive from these cookies: see csrf.ts).
 */
export async function beginBrowserSession(request: FastifyRequest, reply: FastifyReply, session: StartedSession): Promise<void> {
  await endSession(request.server.db, sessionToken(request))
  writeCookie(request, reply, 'session', session.token, request.server.config.sessionTtlSeconds)
  clearCookie(request, reply, 'signIn')
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  clearCookie(request, reply, 'session')
}
