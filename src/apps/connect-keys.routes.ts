import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { NotFoundError } from '../errors.js'
import { setApiHeaders } from '../security/json-response-headers.js'
import { CONNECT_KEY_GRACE_MS, ConnectKeys } from './connect-keys.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The keys that sign lifecycle callbacks to installed apps (`signCallback`). */
    connectKeys: ConnectKeys
  }
}

/**
 * A kid's key never changes, and a replaced key is withdrawn after the grace period: a cache keeps
 * it no longer than that.
 */
const KEY_MAX_AGE_SECONDS = CONNECT_KEY_GRACE_MS / 1000
/**
 * A rotation signs with the new key at once, so the JWKS is cached briefly: a verifier (or a cache in
 * front of it) that refetches on an unknown kid gets the new key within a minute.
 */
const JWKS_MAX_AGE_SECONDS = 60

const kidParams = {
  type: 'object',
  properties: { kid: { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' } },
  required: ['kid'],
  additionalProperties: false,
} as const

/**
 * The connect keys (made at start) and where apps fetch their public halves: by kid as PEM, the way
 * Connect libraries look up the key of an install callback, and as a JWKS for JWT libraries.
 */
export const connectKeys = fp(
  async (server) => {
    const keys = new ConnectKeys({
      db: server.db,
      clock: server.clock,
      keyring: server.keyEncryption.keyring,
      kekSource: server.keyEncryption.source,
      issuer: server.config.issuer,
    })
    await keys.start()
    server.decorate('connectKeys', keys)
    await server.register(connectKeyRoutes)
  },
  { name: 'gatehouse-connect-keys', dependencies: ['gatehouse-core'] },
)

async function connectKeyRoutes(server: FastifyInstance): Promise<void> {
  server.addHook('onRequest', setApiHeaders)

  server.get<{ Params: { kid: string } }>('/connect/keys/:kid', { schema: { params: kidParams } }, async (request, reply) => {
    const key = await server.connectKeys.publicKey(request.params.kid)
    if (!key) throw new NotFoundError(`No connect key has the kid "${request.params.kid}": it was never made, or was replaced more than a day ago. The keys in use are listed at /connect/jwks.json`)
    // Connect libraries read the body as the PEM text whatever its type; text/plain also shows in a browser.
    return reply.type('text/plain; charset=utf-8').header('cache-control', `public, max-age=${KEY_MAX_AGE_SECONDS}, immutable`).send(key.pem)
  })

  server.get('/connect/jwks.json', async (_request, reply) => {
    reply.header('cache-control', `public, max-age=${JWKS_MAX_AGE_SECONDS}`)
    return { keys: (await server.connectKeys.publicKeys()).map((key) => key.jwk) }
  })
}
