import type { FastifyInstance } from 'fastify'
import {
  pageQuery,
  pageSchema,
  repositoryCreateBody,
  repositoryParams,
  repositorySchema,
  repositoryUpdateBody,
  workspaceParams,
  type PageQuery,
  type RepositoryCreateBody,
  type RepositoryParams,
  type RepositoryUpdateBody,
  type WorkspaceParams,
} from './platform.schemas.js'
import { pageJson, repositoryJson } from './representations.js'
import * as repositories from './repositories.service.js'
import { callerId, listUrl } from './request-context.js'

export async function repositoryRoutes(server: FastifyInstance): Promise<void> {
  server.get<{ Params: WorkspaceParams; Querystring: PageQuery }>('/repositories/:workspace', {
    schema: { params: workspaceParams, querystring: pageQuery, response: { 200: pageSchema(repositorySchema) } },
    config: { operationId: 'listRepositories' },
  }, async (request) =>
    pageJson(await repositories.listRepositories(server.db, callerId(request), request.params.workspace, request.query), repositoryJson, listUrl(request)))

  server.post<{ Params: RepositoryParams; Body: RepositoryCreateBody }>('/repositories/:workspace/:repo_slug', {
    schema: { params: repositoryParams, body: repositoryCreateBody, response: { 201: repositorySchema } },
    config: { operationId: 'createRepository' },
  }, async (request, reply) =>
    reply.code(201).send(repositoryJson(await repositories.createRepositoryAsMember(server.db, server.clock, callerId(request), request.params, request.body))))

  server.get<{ Params: RepositoryParams }>('/repositories/:workspace/:repo_slug', {
    schema: { params: repositoryParams, response: { 200: repositorySchema } },
    config: { operationId: 'getRepository' },
  }, async (request) => repositoryJson(await repositories.getRepository(server.db, callerId(request), request.params)))

  server.put<{ Params: RepositoryParams; Body: RepositoryUpdateBody }>('/repositories/:workspace/:repo_slug', {
    schema: { params: repositoryParams, body: repositoryUpdateBody, response: { 200: repositorySchema } },
    config: { operationId: 'updateRepository' },
  }, async (request) => repositoryJson(await repositories.updateRepository(server.db, server.clock, callerId(request), request.params, request.body)))

  server.delete<{ Params: RepositoryParams }>('/repositories/:workspace/:repo_slug', {
    schema: { params: repositoryParams },
    config: { operationId: 'deleteRepository' },
  }, async (request, reply) => {
    await repositories.deleteRepository(server.db, callerId(request), request.params)
    return reply.code(204).send()
  })
}
