import type { FastifyInstance } from 'fastify'
import type { ClientAuthenticator } from './client-auth.js'
import { readClientCredentials } from './client-auth.js'
import type { TokenDeps } from './grant-types/grant-type.js'
import type { TokenExtensions } from './token-extensions.js'
import { exchange, type TokenParams } from './token.service.js'
import { requireFormBody, tokenRequest } from './token.schemas.js'

/** `POST /oauth/token` (RFC 6749 §3.2). */
export async function tokenRoutes(server: FastifyInstance, { clients, extensions }: { clients: ClientAuthenticator; extensions: TokenExtensions }): Promise<void> {
  const { db, clock, config, accessTokens, revocations, secrets, apiDescription, passwordAttempts, metrics } = server
  const deps: TokenDeps = { db, clock, config, accessTokens, revocations, secrets, catalogue: apiDescription.scopes }
  server.post<{ Body: TokenParams }>('/oauth/token', {
    schema: tokenRequest,
    config: { errorFormat: 'oauth' },
    preValidation: requireFormBody,
  }, async (request, reply) => {
    const facts = { params: request.body, authorization: request.headers.authorization, method: request.method, url: request.url }
    const extension = extensions.claiming(facts)
    let tokens
    if (extension) {
      tokens = await extension.exchange(facts, deps)
    } else {
      const client = await clients.authenticate(readClientCredentials(request.headers.authorization, request.body))
      // A password grant is a sign-in: throttled and hashed under the same limits as the form.
      tokens = await passwordAttempts.tokenRequest(request.ip, request.body, () => exchange(deps, client, request.body))
    }
    metrics.tokensIssued.inc({ grant_type: request.body.grant_type })
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
    return tokens
  })
}
