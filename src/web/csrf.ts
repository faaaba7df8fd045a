import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { hashesEqual, hashSecret } from '../domain/opaque-token.js'
import { ForbiddenError } from '../errors.js'
import { html, type SafeHtml } from './html.js'
import { cookieOptions } from './session.js'

/**
 * Double-submit CSRF protection: a random cookie, and the same value in a
 * hidden field of every form. Another site can make a browser post a form here
 * but cannot read the cookie to copy it into the field.
 */
export const CSRF_COOKIE = 'gatehouse_csrf'
export const CSRF_FIELD = 'csrf_token'

const TOKEN = /^[A-Za-z0-9_-]{43}$/

/** The token for forms on this page: the browser's existing one, or a new one set as a cookie. */
export function csrfToken(request: FastifyRequest, reply: FastifyReply): string {
  const existing = request.cookies[CSRF_COOKIE]
  if (existing !== undefined && TOKEN.test(existing)) return existing
  const token = randomBytes(32).toString('base64url')
  reply.setCookie(CSRF_COOKIE, token, cookieOptions(request))
  return token
}

export function csrfField(token: string): SafeHtml {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${token}">`
}

/** A route `preHandler` for every form POST. */
export async function verifyCsrf(request: FastifyRequest): Promise<void> {
  const cookie = request.cookies[CSRF_COOKIE]
  const field = (request.body as Record<string, unknown> | undefined)?.[CSRF_FIELD]
  if (cookie === undefined || typeof field !== 'string' || !TOKEN.test(cookie)) throw expired()
  // Comparing digests keeps the comparison constant-time whatever the field's length.
  if (!hashesEqual(hashSecret(cookie), hashSecret(field))) throw expired()
}

function expired(): ForbiddenError {
  return new ForbiddenError('This form has expired; go back and try again')
}

/** Body schema properties every form route includes. */
export const csrfBodyProperties = { [CSRF_FIELD]: { type: 'string', maxLength: 100 } } as const
