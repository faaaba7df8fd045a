import type { FastifyInstance } from 'fastify'
import { pageQuery, membershipSchema, pageSchema, userSchema, workspaceParams, workspaceSchema, type PageQuery, type WorkspaceParams } from './platform.schemas.js'
import { membershipJson, pageJson, userJson, workspaceJson } from './representations.js'
import { callerId, callerWorkspaces, listUrl } from './request-context.js'
import * as workspaces from './workspaces.service.js'

export async function workspaceRoutes(server: FastifyInstance): Promise<void> {
  server.get('/user', {
    schema: { response: { 200: userSchema } },
    config: { operationId: 'getCurrentUser' },
  }, async (request) => userJson(await workspaces.getCurrentUser(server.db, callerId(request))))

  server.get<{ Querystring: PageQuery }>('/workspaces', {
    schema: { querystring: pageQuery, response: { 200: pageSchema(workspaceSchema) } },
    config: { operationId: 'listWorkspaces' },
  }, async (request) => pageJson(await workspaces.listWorkspacesOf(server.db, callerId(request), request.query, callerWorkspaces(request)), workspaceJson, listUrl(request)))

  server.get<{ Params: WorkspaceParams }>('/workspaces/:workspace', {
    schema: { params: workspaceParams, response: { 200: workspaceSchema } },
    config: { operationId: 'getWorkspace' },
  }, async (request) => workspaceJson(await workspaces.getWorkspace(server.db, callerId(request), request.params.workspace)))

  server.get<{ Params: WorkspaceParams; Querystring: PageQuery }>('/workspaces/:workspace/members', {
    schema: { params: workspaceParams, querystring: pageQuery, response: { 200: pageSchema(membershipSchema) } },
    config: { operationId: 'listWorkspaceMembers' },
  }, async (request) =>
    pageJson(await workspaces.listMembers(server.db, callerId(request), request.params.workspace, request.query), membershipJson, listUrl(request)))
}
