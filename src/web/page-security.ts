import helmet from '@fastify/helmet'
import type { FastifyInstance } from 'fastify'

/**
 * helmet's headers for the scopes that serve pages. It is registered per page scope, not for the
 * whole server: it rebuilds its middleware on every request, a cost the token endpoint and the
 * gateway cannot afford, and JSON responses need only the few headers in gateway/api-headers.ts.
 */
export async function pageSecurity(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: { 'default-src': ["'self'"], 'script-src': ["'self'"], 'style-src': ["'self'"], 'img-src': ["'self'", 'data:'] },
    },
  })
}
