import type { FastifyInstance } from 'fastify'
import { referenceRoutes } from './reference.routes.js'

/**
 * Granular scopes, for the apps that use them: the scope reference (/docs/scopes, where the gate's
 * Deprecation links point). After the gateway and the API, whose description it reads.
 */
export async function scopes(server: FastifyInstance): Promise<void> {
  await server.register(referenceRoutes)
}
