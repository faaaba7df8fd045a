import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { ForbiddenError } from '../errors.js'
import { readCookie, writeCookie } from './cookies.js'
import { html, type SafeHtml } from './html.js'

/**
 * CSRF protection for form posts, in two layers.
 *
 * 1. A token in a hidden field, bound to a secret only this browser holds in an HttpOnly cookie:
 *    - signed in, the session cookie: the token is that session's alone, changes at every
 *      sign-in, and stops working at sign-out, when the cookie goes;
 *    - on the sign-in form (no session yet), a short-lived random pre-session cookie, which a
 *      successful sign-in clears.
 *    The token is HMAC-SHA256(secret, label): nothing to store, and the field reveals nothing of
 *    the cookie. Another site can make a browser post here but can neither read the cookie nor
 *    (with `__Host-` names, see cookies.ts) plant one of its choosing.
 * 2. The browser's own word on where the post came from: `Origin`, when sent, must be the
 *    issuer's; `Sec-Fetch-Site`, when sent, must be `same-origin` or `none` (typed or bookmarked).
 *    Both may be absent from old clients and tools; the token still applies.
 */
export const CSRF_FIELD = 'csrf_token'

/** Long enough to read a sign-in page and type a password; refreshed each time the page is shown. */
const SIGN_IN_COOKIE_TTL_SECONDS = 3600

const LABELS = { session: 'gatehouse csrf token: session forms', signIn: 'gatehouse csrf token: sign-in form' } as const

/** base64url of 32 bytes: the pre-session secret, and every token. */
const BASE64URL_32 = /^[A-Za-z0-9_-]{43}$/

const EXPIRED = 'This form has expired; go back and try again'
const CROSS_SITE = 'This form was not sent from a Gatehouse page, so it was refused; go back and try again'

/** The token for forms shown to a signed-in user; the request must carry a session cookie. */
export function csrfToken(request: FastifyRequest): string {
  const secret = readCookie(request, 'session')
  if (secret === undefined) throw new Error('csrfToken() is for pages shown to a signed-in user')
  return derive(secret, LABELS.session)
}

/** The token for the sign-in form: bound to the browser's pre-session cookie, set (or refreshed) now. */
export function signInCsrfToken(request: FastifyRequest, reply: FastifyReply): string {
  const existing = readCookie(request, 'signIn')
  const secret = existing !== undefined && BASE64URL_32.test(existing) ? existing : randomBytes(32).toString('base64url')
  writeCookie(request, reply, 'signIn', secret, SIGN_IN_COOKIE_TTL_SECONDS)
  return derive(secret, LABELS.signIn)
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`
}

/** A route `preHandler` for every form a signed-in user posts (sign-out, the consent decision). */
export async function verifyCsrf(request: FastifyRequest): Promise<void> {
  verifyFormOrigin(request)
  verifyToken(request, readCookie(request, 'session'), LABELS.session)
}

/** The `preHandler` of the sign-in form's post. */
export async function verifySignInCsrf(request: FastifyRequest): Promise<void> {
  verifyFormOrigin(request)
  const secret = readCookie(request, 'signIn')
  verifyToken(request, secret !== undefined && BASE64URL_32.test(secret) ? secret : undefined, LABELS.signIn)
}

function verifyFormOrigin(request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin' && site !== 'none') throw new ForbiddenError(CROSS_SITE)
  const origin = request.headers.origin
  // `null` (an opaque origin: a sandboxed frame, a data: URL) is refused like any other site.
  if (origin !== undefined && origin !== new URL(request.server.config.issuer).origin) throw new ForbiddenError(CROSS_SITE)
}

function verifyToken(request: FastifyRequest, secret: string | undefined, label: string): void {
  const field = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD]
  if (secret === undefined || typeof field !== 'string' || !BASE64URL_32.test(field)) throw new ForbiddenError(EXPIRED)
  // Both are 43 characters here, so the comparison is constant-time.
  if (!timingSafeEqual(Buffer.from(derive(secret, label)), Buffer.from(field))) throw new ForbiddenError(EXPIRED)
}

function derive(secret: string, label: string): string {
  return createHmac('sha256', secret).update(label).digest('base64url')
}

/** Body schema properties every form route includes. */
export const csrfBodyProperties = { [CSRF_FIELD]: { type: 'string', maxLength: 100 } } as const
