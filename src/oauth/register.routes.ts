import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify'
import { OAuthError } from '../errors.js'
import { registrationRequest, requireJsonBody, type ClientMetadata } from './register.schemas.js'
import { checkInitialAccessToken, registerClient, type RegistrationDeps } from './register.service.js'

declare module 'fastify' {
  interface FastifyRequest {
    initialAccessToken?: string
  }
}

/** `POST /oauth/register` (RFC 7591), open to holders of an initial access token. */
export async function registerRoutes(server: FastifyInstance): Promise<void> {
  const { db, clock, apiDescription, secrets, revocations } = server
  const deps: RegistrationDeps = { db, clock, catalogue: apiDescription.scopes, secrets, revocations }
  server.decorateRequest('initialAccessToken', undefined)
  server.post<{ Body: ClientMetadata }>('/oauth/register', {
    schema: registrationRequest,
    // Schema failures are metadata errors here (RFC 7591 §3.2.2), not invalid_request.
    attachValidation: true,
    config: { errorFormat: 'oauth', rateLimit: server.rateLimitConfig },
    // Authenticate before judging the metadata, so strangers learn nothing from validation messages.
    preValidation: async (request: FastifyRequest) => {
      request.initialAccessToken = await checkInitialAccessToken(deps, request.headers.authorization)
      await requireJsonBody(request)
    },
  }, async (request, reply) => {
    if (request.validationError) throw new OAuthError('invalid_client_metadata', metadataProblem(request.validationError as FastifyError))
    const registered = await registerClient(deps, request.initialAccessToken!, request.body ?? {})
    return reply.code(201).header('cache-control', 'no-store').header('pragma', 'no-cache').send(registered)
  })
}

function metadataProblem(error: FastifyError): string {
  const first = error.validation?.[0]
  if (!first) return 'The client metadata is invalid'
  const field = first.instancePath.slice(1).replace(/\//g, '.')
  return field ? `"${field}" ${first.message}` : `The client metadata ${first.message}`
}
