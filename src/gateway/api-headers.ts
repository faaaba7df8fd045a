import type { onRequestHookHandler } from 'fastify'

/**
 * Security headers for JSON responses, after the OWASP REST Security Cheat
 * Sheet: the API answers data, not pages, so it needs these few rather than
 * helmet's page-oriented set (and HSTS reaches the host through the pages).
 * A proxied upstream may override `cache-control`; the rest it may not (see below).
 */
export const API_RESPONSE_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
} as const

/**
 * Forced on every proxied response, whatever the upstream sent: it is served
 * on the origin of the sign-in and consent pages, so an HTML or SVG answer
 * must not run script, load anything, or be framed there.
 */
export const PROXIED_RESPONSE_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
  'x-content-type-options': 'nosniff',
} as const

/**
 * Response headers an upstream may not send through: they would set or clear
 * cookies on Gatehouse's origin (the session, `gatehouse_csrf`).
 */
export const UPSTREAM_HEADERS_DROPPED: ReadonlySet<string> = new Set(['set-cookie', 'set-cookie2', 'clear-site-data'])

export const setApiHeaders: onRequestHookHandler = (_request, reply, done) => {
  reply.headers(API_RESPONSE_HEADERS)
  done()
}
