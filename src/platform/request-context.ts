import type { FastifyRequest } from 'fastify'
import { InvalidTokenError } from '../errors.js'

/** The user the request acts for, as the gate established. */
export function callerId(request: FastifyRequest): string {
  // Unreachable behind the gate; a route that forgot its operationId fails start-up instead.
  if (!request.identity) throw new InvalidTokenError('This operation needs an access token')
  return request.identity.userId
}

/** The only workspaces (slugs) the caller's token may reach; undefined when it may reach all of the user's. */
export function callerWorkspaces(request: FastifyRequest): readonly string[] | undefined {
  return request.identity?.workspaces
}

/** The public URL of the list being paged, for its `next` link. */
export function listUrl(request: FastifyRequest): string {
  const path = request.url.split('?')[0]
  return `${request.server.config.issuer}${path}`
}
