import type { FastifyInstance } from 'fastify'
import { readClientCredentials, type ClientAuthenticator } from './client-auth.js'
import { tokenParamsBody, type TokenParamsBody } from './introspect.schemas.js'
import { revokeToken } from './revoke.service.js'
import { requireFormBody } from './token.schemas.js'

/** `POST /oauth/revoke` (RFC 7009): always 200 for an authenticated client, whatever the token was. */
export async function revokeRoutes(server: FastifyInstance, { clients }: { clients: ClientAuthenticator }): Promise<void> {
  const { db, clock, config, revocations, accessTokens } = server
  const deps = { db, clock, config, revocations, accessTokens }
  server.post<{ Body: TokenParamsBody }>('/oauth/revoke', {
    schema: { body: tokenParamsBody },
    config: { errorFormat: 'oauth' },
    preValidation: requireFormBody,
  }, async (request, reply) => {
    const client = await clients.authenticate(readClientCredentials(request.headers.authorization, request.body))
    await revokeToken(deps, client, request.body.token)
    reply.header('cache-control', 'no-store')
    return reply.code(200).send()
  })
}
