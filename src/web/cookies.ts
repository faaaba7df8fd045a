import { fastifyCookie, type CookieSerializeOptions } from '@fastify/cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * Gatehouse's cookies: the session, and the pre-session cookie the sign-in form's CSRF token is
 * bound to. With secure cookies (`config.secureCookies`) their names carry the `__Host-` prefix:
 * browsers then take them only with Secure, Path=/ and no Domain, so neither a sibling subdomain
 * nor a plain-http page can plant or overwrite them ("cookie tossing", which would let another
 * site choose the secrets CSRF tokens derive from). Browsers refuse `__Host-` cookies without
 * Secure, so over plain http (local use, tests) the names are plain.
 */
const NAMES = {
  session: 'gatehouse_session',
  signIn: 'gatehouse_signin',
  /** The playground's walk-through, held in the server's memory under this random key. */
  playground: 'gatehouse_playground',
} as const

export type GatehouseCookie = keyof typeof NAMES

export function cookieName(secure: boolean, cookie: GatehouseCookie): string {
  return secure ? `__Host-${NAMES[cookie]}` : NAMES[cookie]
}

/** Only the name this deployment uses: a plain-named cookie is ignored when secure names are on. */
export function readCookie(request: FastifyRequest, cookie: GatehouseCookie): string | undefined {
  return requestCookies(request)[cookieName(request.server.config.secureCookies, cookie)]
}

/**
 * Page scopes parse cookies up front; requests no page scope took (the not-found handler, errors
 * before routing) have only the header, read here when their error page shows who is signed in.
 */
function requestCookies(request: FastifyRequest): Record<string, string | undefined> {
  if (request.cookies) return request.cookies
  const header = request.headers.cookie
  return header ? fastifyCookie.parse(header) : {}
}

export function writeCookie(request: FastifyRequest, reply: FastifyReply, cookie: GatehouseCookie, value: string, maxAgeSeconds: number): void {
  reply.setCookie(cookieName(request.server.config.secureCookies, cookie), value, { ...cookieOptions(request), maxAge: maxAgeSeconds })
}

export function clearCookie(request: FastifyRequest, reply: FastifyReply, cookie: GatehouseCookie): void {
  reply.clearCookie(cookieName(request.server.config.secureCookies, cookie), cookieOptions(request))
}

/** Never readable by scripts, not sent on cross-site subrequests, and (`__Host-`) host-only on path `/`. */
function cookieOptions(request: FastifyRequest): CookieSerializeOptions {
  return { path: '/', httpOnly: true, sameSite: 'lax', secure: request.server.config.secureCookies }
}
