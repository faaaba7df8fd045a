import type { FastifyInstance } from 'fastify'
import { readClientCredentials, type ClientAuthenticator } from './client-auth.js'
import { introspectRequest, type TokenParamsBody } from './introspect.schemas.js'
import { Introspector } from './introspect.service.js'
import { requireFormBody } from './token.schemas.js'

/** `POST /oauth/introspect` (RFC 7662). */
export async function introspectRoutes(server: FastifyInstance, { clients }: { clients: ClientAuthenticator }): Promise<void> {
  const { db, clock, config, accessTokens, revocations } = server
  const introspector = new Introspector({ db, clock, config, accessTokens, revocations })
  server.post<{ Body: TokenParamsBody }>('/oauth/introspect', {
    schema: introspectRequest,
    config: { errorFormat: 'oauth' },
    preValidation: requireFormBody,
  }, async (request, reply) => {
    const client = await clients.authenticate(readClientCredentials(request.headers.authorization, request.body))
    reply.header('cache-control', 'no-store')
    return introspector.introspect(client, request.body.token)
  })
}
