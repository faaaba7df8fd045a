import cookie from '@fastify/cookie'
import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'

/**
 * What the scopes that serve pages need: cookies (session, CSRF) and helmet's headers. Registered
 * per page scope, not for the whole server: helmet rebuilds its middleware on every request and the
 * cookie plugin parses on every request, costs the token endpoint and the gateway cannot afford;
 * JSON responses need only the few headers in security/json-response-headers.ts.
 */
export async function pageScope(server: FastifyInstance): Promise<void> {
  await server.register(cookie)
  await server.register(helmet, {
    contentSecurityPolicy: {
      directives: { 'default-src': ["'self'"], 'script-src': ["'self'"], 'style-src': ["'self'"], 'img-src': ["'self'", 'data:'] },
    },
    // Not helmet's `no-referrer`: under it browsers send `Origin: null` with our own form posts,
    // which the form-origin check (csrf.ts) must refuse. Other sites still get no Referer.
    referrerPolicy: { policy: 'same-origin' },
  })
}
