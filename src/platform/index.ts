import type { FastifyInstance } from 'fastify'
import { API_BASE_PATH } from '../gateway/api-description.js'
import { issueRoutes } from './issues.routes.js'
import { repositoryRoutes } from './repositories.routes.js'
import { workspaceRoutes } from './workspaces.routes.js'

export { createWorkspace, listAllWorkspaces } from './workspaces.service.js'
export { createRepository } from './repositories.service.js'
export { createIssue } from './issues.service.js'
export type { Issue, PlatformUser, Repository, Workspace, WorkspaceRole } from './models.js'

/**
 * The sample platform API under `/2.0/`, described by its OpenAPI document.
 * Each route names its operation; the gate reads the scopes it needs from the document.
 */
export async function platformApi(server: FastifyInstance): Promise<void> {
  await server.register(async (api) => {
    // Serialised once: the document does not change while the server runs.
    const document = JSON.stringify(server.apiDescription.document)
    api.get('/openapi.json', { config: { operationId: 'getOpenApiDocument' } }, async (_request, reply) =>
      reply.type('application/json; charset=utf-8').send(document))
    await api.register(workspaceRoutes)
    await api.register(repositoryRoutes)
    await api.register(issueRoutes)
  }, { prefix: API_BASE_PATH })
}
