import type { FastifyInstance } from 'fastify'
import { supportedGrantTypes } from './token.service.js'

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none']

/** RFC 8414 server metadata; every URL is absolute, under the issuer. */
export function serverMetadata(issuer: string, scopes: string[]) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    registration_endpoint: `${issuer}/oauth/register`,
    jwks_uri: `${issuer}/oauth/jwks.json`,
    scopes_supported: scopes,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: supportedGrantTypes,
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  }
}

/** Discovery documents and the JWKS. */
export async function metadataRoutes(app: FastifyInstance): Promise<void> {
  // Fixed for the life of the process: the issuer and the scope catalogue are read at start.
  const metadata = serverMetadata(app.config.issuer, app.apiDescription.scopes.map((s) => s.name))
  const config = { errorFormat: 'oauth' as const }

  for (const url of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
    app.get(url, { config }, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=3600')
      return metadata
    })
  }

  for (const url of ['/oauth/jwks.json', '/.well-known/jwks.json']) {
    app.get(url, { config }, async (_request, reply) => {
      // Short, so a key added by `keys rotate` is seen soon by verifiers that cache by time rather than by kid.
      reply.header('cache-control', 'public, max-age=300')
      return app.signingKeys.jwks()
    })
  }
}
