import type { FastifyInstance } from 'fastify'
import { throttleClientAuthentication } from '../security/index.js'
import { setApiHeaders } from '../security/json-response-headers.js'
import { authorizeRoutes } from './authorize.routes.js'
import { ClientAuthenticator } from './client-auth.js'
import { addCors, BrowserOrigins } from './cors.js'
import { introspectRoutes } from './introspect.routes.js'
import { metadataRoutes } from './metadata.routes.js'
import { registerRoutes } from './register.routes.js'
import { revokeRoutes } from './revoke.routes.js'
import { TokenExtensions } from './token-extensions.js'
import { tokenRoutes } from './token.routes.js'
import { pruneExpiredCredentials } from './token.service.js'

export { appSignedInFor } from './authorize.service.js'
export { TokenExtensions, type TokenExtension, type TokenRequestFacts } from './token-extensions.js'

const PRUNE_EVERY_MS = 60 * 60 * 1000

/** The OAuth 2.0 endpoints: metadata, JWKS, authorize, token, introspect, revoke, register. */
export async function oauth(server: FastifyInstance, { tokenExtensions = new TokenExtensions() }: { tokenExtensions?: TokenExtensions } = {}): Promise<void> {
  // One authenticator, so its short cache serves the token, introspection and revocation endpoints alike.
  const clients = new ClientAuthenticator(server.db, server.clock)
  // Browser apps call the token, revocation, metadata and JWKS endpoints from their redirect URIs' origins.
  const origins = new BrowserOrigins({ db: server.db, clock: server.clock })
  await origins.start()
  // An app changed anywhere (disabled, deleted, secret rotated, owner disabled, registered): drop what is cached of it.
  const stopListening = server.revocations.onAppChanged((clientId) => {
    clients.forget(clientId)
    origins.reload().catch((error) => server.log.warn({ err: error }, 'reloading the CORS origins failed'))
  })
  server.addHook('onClose', async () => {
    stopListening()
    origins.stop()
  })
  await server.register(authorizeRoutes)
  await server.register(async (json) => {
    json.addHook('onRequest', setApiHeaders)
    addCors(json, origins)
    throttleClientAuthentication(json, server.failureThrottles.clientAuthentication, ['/oauth/token', '/oauth/introspect', '/oauth/revoke'])
    await json.register(metadataRoutes, { extensions: tokenExtensions })
    await json.register(tokenRoutes, { clients, extensions: tokenExtensions })
    await json.register(introspectRoutes, { clients })
    await json.register(revokeRoutes, { clients })
    await json.register(registerRoutes)
  })

  const prune = setInterval(() => {
    Promise.all([pruneExpiredCredentials(server.db, server.clock.now()), server.revocations.prune()])
      .catch((error) => server.log.warn({ err: error }, 'pruning expired credentials failed'))
  }, PRUNE_EVERY_MS)
  prune.unref()
  server.addHook('onClose', async () => clearInterval(prune))
}
