// The headers every JSON response gets (API_RESPONSE_HEADERS) live in security/json-response-headers.ts,
// shared with the OAuth endpoints; these are the proxy's own.

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
