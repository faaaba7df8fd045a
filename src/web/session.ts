import type { CookieSerializeOptions } from '@fastify/cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { findSessionUser, type SessionUser, type StartedSession } from './sessions.service.js'

export type { SessionUser } from './sessions.service.js'

export const SESSION_COOKIE = 'gatehouse_session'

const resolved = new WeakMap<FastifyRequest, Promise<SessionUser | undefined>>()

/** The signed-in user of this request, or undefined; looked up once per request. */
export function currentUser(request: FastifyRequest): Promise<SessionUser | undefined> {
  let user = resolved.get(request)
  if (!user) {
    const { db, clock } = request.server
    user = findSessionUser(db, clock.now(), sessionToken(request))
    resolved.set(request, user)
  }
  return user
}

export function sessionToken(request: FastifyRequest): string | undefined {
  return request.cookies[SESSION_COOKIE]
}

/** For a session just started: the cookie lives as long as the session does. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, session: StartedSession): void {
  reply.setCookie(SESSION_COOKIE, session.token, { ...cookieOptions(request), maxAge: request.server.config.sessionTtlSeconds })
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(request))
}

/** Attributes shared by Gatehouse's cookies: never readable by scripts, not sent on cross-site subrequests. */
export function cookieOptions(request: FastifyRequest): CookieSerializeOptions {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: request.server.config.secureCookies }
}
