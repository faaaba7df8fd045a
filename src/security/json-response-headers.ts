import type { onRequestHookHandler } from 'fastify'

/**
 * Security headers for JSON responses, after the OWASP REST Security Cheat
 * Sheet: the API and the OAuth endpoints answer data, not pages, so they need
 * these few rather than helmet's page-oriented set (and HSTS, for an https
 * issuer, reaches the host through the pages). A proxied upstream may override `cache-control`; the rest
 * it may not (gateway/api-headers.ts).
 */
export const API_RESPONSE_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
} as const

export const setApiHeaders: onRequestHookHandler = (_request, reply, done) => {
  reply.headers(API_RESPONSE_HEADERS)
  done()
}
