import type { FastifyInstance } from 'fastify'
import { accessibleResourcesRoutes } from './accessible-resources.routes.js'
import { referenceRoutes } from './reference.routes.js'

/**
 * Granular scopes, for the apps that use them: the scope reference (/docs/scopes, where the gate's
 * Deprecation links point) and the token's accessible resources. After the gateway and the API, whose
 * description and gate they use. The page has its own scope (cookies, helmet); the JSON endpoint has the API's headers.
 */
export async function scopes(server: FastifyInstance): Promise<void> {
  await server.register(referenceRoutes)
  await server.register(accessibleResourcesRoutes)
}
