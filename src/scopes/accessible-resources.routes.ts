import type { FastifyInstance } from 'fastify'
import { accessibleResourcesSchema } from './accessible-resources.schemas.js'
import { accessibleResources } from './accessible-resources.service.js'

export const ACCESSIBLE_RESOURCES_PATH = '/oauth/token/accessible-resources'

/**
 * The workspaces the presented token reaches, with its scopes: how an app sees which workspaces a person
 * granted, and whether they approved the scopes of its latest version. Any token the gate accepts, no
 * scope needed; refused as the gate refuses (401 with RFC 6750's WWW-Authenticate).
 */
export async function accessibleResourcesRoutes(server: FastifyInstance): Promise<void> {
  const deps = { db: server.db, issuer: server.config.issuer }
  server.get(ACCESSIBLE_RESOURCES_PATH, {
    schema: accessibleResourcesSchema,
    onRequest: server.gate.guard(`GET ${ACCESSIBLE_RESOURCES_PATH}`, [[]]),
  }, (request) => accessibleResources(deps, request.identity!))
}
