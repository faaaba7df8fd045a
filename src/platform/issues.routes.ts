import type { FastifyInstance } from 'fastify'
import * as issues from './issues.service.js'
import {
  commentCreateBody,
  commentSchema,
  issueCreateBody,
  issueParams,
  issueSchema,
  issueUpdateBody,
  pageQuery,
  pageSchema,
  repositoryParams,
  type CommentCreateBody,
  type IssueCreateBody,
  type IssueParams,
  type IssueUpdateBody,
  type PageQuery,
  type RepositoryParams,
} from './platform.schemas.js'
import { commentJson, issueJson, pageJson } from './representations.js'
import { callerId, listUrl } from './request-context.js'

export async function issueRoutes(server: FastifyInstance): Promise<void> {
  const issuesUrl = '/repositories/:workspace/:repo_slug/issues'

  server.get<{ Params: RepositoryParams; Querystring: PageQuery }>(issuesUrl, {
    schema: { params: repositoryParams, querystring: pageQuery, response: { 200: pageSchema(issueSchema) } },
    config: { operationId: 'listIssues' },
  }, async (request) => pageJson(await issues.listIssues(server.db, callerId(request), request.params, request.query), issueJson, listUrl(request)))

  server.post<{ Params: RepositoryParams; Body: IssueCreateBody }>(issuesUrl, {
    schema: { params: repositoryParams, body: issueCreateBody, response: { 201: issueSchema } },
    config: { operationId: 'createIssue' },
  }, async (request, reply) => reply.code(201).send(issueJson(await issues.reportIssue(server.db, server.clock, callerId(request), request.params, request.body))))

  server.get<{ Params: IssueParams }>(`${issuesUrl}/:issue_id`, {
    schema: { params: issueParams, response: { 200: issueSchema } },
    config: { operationId: 'getIssue' },
  }, async (request) => issueJson(await issues.getIssue(server.db, callerId(request), request.params)))

  server.put<{ Params: IssueParams; Body: IssueUpdateBody }>(`${issuesUrl}/:issue_id`, {
    schema: { params: issueParams, body: issueUpdateBody, response: { 200: issueSchema } },
    config: { operationId: 'updateIssue' },
  }, async (request) => issueJson(await issues.updateIssue(server.db, server.clock, callerId(request), request.params, request.body)))

  server.get<{ Params: IssueParams; Querystring: PageQuery }>(`${issuesUrl}/:issue_id/comments`, {
    schema: { params: issueParams, querystring: pageQuery, response: { 200: pageSchema(commentSchema) } },
    config: { operationId: 'listIssueComments' },
  }, async (request) => pageJson(await issues.listComments(server.db, callerId(request), request.params, request.query), commentJson, listUrl(request)))

  server.post<{ Params: IssueParams; Body: CommentCreateBody }>(`${issuesUrl}/:issue_id/comments`, {
    schema: { params: issueParams, body: commentCreateBody, response: { 201: commentSchema } },
    config: { operationId: 'createIssueComment' },
  }, async (request, reply) =>
    reply.code(201).send(commentJson(await issues.addComment(server.db, server.clock, callerId(request), request.params, request.body.content.raw))))
}
