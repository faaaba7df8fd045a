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
import { tokenRoutes } from './token.routes.js'
import { pruneExpiredCredentials } from './token.service.js'

const PRUNE_EVERY_MS = 60 * 60 * 1000

/** The OAuth 2.0 endpoints: metadata, JWKS, authorize, token, introspect, revoke, register. */
export async function oauth(app: FastifyInstance): Promise<void> {
  // One authenticator, so its short cache serves the token, introspection and revocation endpoints alike.
  const clients = new ClientAuthenticator(app.db, app.clock)
  // Browser apps call the token, revocation, metadata and JWKS endpoints from their redirect URIs' origins.
  const origins = new BrowserOrigins({ db: app.db, clock: app.clock })
  await origins.start()
  // An app changed anywhere (disabled, deleted, secret rotated, owner disabled, registered): drop what is cached of it.
  const stopListening = app.revocations.onAppChanged((clientId) => {
    clients.forget(clientId)
    origins.reload().catch((error) => app.log.warn({ err: error }, 'reloading the CORS origins failed'))
  })
  app.addHook('onClose', async () => {
    stopListening()
    origins.stop()
  })
  await app.register(authorizeRoutes)
  await app.register(async (json) => {
    json.addHook('onRequest', setApiHeaders)
    addCors(json, origins)
    throttleClientAuthentication(json, app.failureThrottles.clientAuthentication, ['/oauth/token', '/oauth/introspect', '/oauth/revoke'])
    await json.register(metadataRoutes)
    await json.register(tokenRoutes, { clients })
    await json.register(introspectRoutes, { clients })
    await json.register(revokeRoutes, { clients })
    await json.register(registerRoutes)
  })

  const prune = setInterval(() => {
    Promise.all([pruneExpiredCredentials(app.db, app.clock.now()), app.revocations.prune()])
      .catch((error) => app.log.warn({ err: error }, 'pruning expired credentials failed'))
  }, PRUNE_EVERY_MS)
  prune.unref()
  app.addHook('onClose', async () => clearInterval(prune))
}
