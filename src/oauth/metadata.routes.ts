import type { FastifyInstance } from 'fastify'
import type { Config } from '../config.js'
import { JWKS_MAX_AGE_SECONDS } from './signing-keys.js'
import type { TokenExtensions } from './token-extensions.js'
import { supportedGrantTypes } from './token.service.js'

const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none']

/** RFC 8414 server metadata; every URL is absolute, under the issuer. */
export function serverMetadata(config: Pick<Config, 'issuer' | 'allowPasswordGrant'>, scopes: string[], extraGrantTypes: readonly string[] = []) {
  const { issuer } = config
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
    grant_types_supported: [...supportedGrantTypes(config), ...extraGrantTypes],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    code_challenge_methods_supported: ['S256'],
    authorization_response_iss_parameter_supported: true,
  }
}

/** Discovery documents and the JWKS. */
export async function metadataRoutes(server: FastifyInstance, { extensions }: { extensions: TokenExtensions }): Promise<void> {
  // Fixed once the server is ready: the issuer and the scope catalogue are read at start, extensions added while building.
  let metadata: ReturnType<typeof serverMetadata> | undefined
  const describe = () => (metadata ??= serverMetadata(server.config, server.apiDescription.scopes.map((s) => s.name), extensions.grantTypes))
  const config = { errorFormat: 'oauth' as const }

  // Not also under /.well-known/openid-configuration: that name promises OpenID Connect (ID tokens,
  // userinfo), which Gatehouse does not implement; a Connect client must fail discovery, not later.
  server.get('/.well-known/oauth-authorization-server', { config }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=3600')
    return describe()
  })

  for (const url of ['/oauth/jwks.json', '/.well-known/jwks.json']) {
    server.get(url, { config }, async (_request, reply) => {
      // A rotated key signs only after this has passed (KEY_ACTIVATION_DELAY_MS), so a verifier that
      // caches JWKS for up to max-age always holds the kid of every token it is shown.
      reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
      return server.signingKeys.jwks()
    })
  }
}
