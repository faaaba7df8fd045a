import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import { exportJWK, generateKeyPair } from 'jose'
import Provider, { errors, type Adapter, type AdapterPayload } from 'oidc-provider'
import type { BenchApp, OidcProviderStartOptions, OidcProviderStarted } from './protocol.js'

/**
 * The second baseline: node-oidc-provider, the most widely used OAuth server
 * for Node, configured for what Gatehouse's issuance and introspection do:
 * confidential clients with `client_secret_basic`, the client_credentials
 * grant, introspection (RFC 7662), and access tokens for one API via resource
 * indicators (RFC 8707) — ES256 JWTs like Gatehouse's, or opaque tokens. It
 * introspects only opaque tokens (it refuses JWTs at its introspection
 * endpoint), so its introspection row uses those.
 *
 * Storage is in memory. The package's own memory adapter keeps at most about
 * 2,000 entries (an LRU of 1,000), which would evict most of a 10,000-token
 * pool and turn introspection answers into `active:false`; the adapter below
 * is the same thing without the cap: a Map with expiry.
 *
 * Prints `READY {json}` (OidcProviderStarted).
 */
const options = JSON.parse(process.argv[2]) as OidcProviderStartOptions
const issuer = 'http://oidc-provider.bench'
const resources = { jwt: 'http://api.bench/jwt', opaque: 'http://api.bench/opaque' }

const { privateKey } = await generateKeyPair('ES256', { extractable: true })
const signingKey = { ...(await exportJWK(privateKey)), kid: 'bench-es256', alg: 'ES256', use: 'sig' }

// What MapAdapter (below) keeps: every model's records by `name:id`, and the records of each grant.
const store = new Map<string, { payload: AdapterPayload; expiresAt: number }>()
const grants = new Map<string, string[]>()

const clients: BenchApp[] = Array.from({ length: options.clients }, (_, i) => ({
  clientId: `bench-client-${String(i).padStart(3, '0')}`,
  clientSecret: randomBytes(32).toString('base64url'),
  username: '',
}))

const provider = new Provider(issuer, {
  adapter: MapAdapter,
  clients: clients.map((client) => ({
    client_id: client.clientId,
    client_secret: client.clientSecret,
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope: 'account',
  })),
  clientDefaults: { id_token_signed_response_alg: 'ES256' },
  jwks: { keys: [signingKey] },
  scopes: ['account'],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resources.opaque,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, resourceIndicator) => {
        if (resourceIndicator !== resources.jwt && resourceIndicator !== resources.opaque) throw new errors.InvalidTarget()
        return {
          scope: 'account',
          audience: resourceIndicator,
          accessTokenTTL: 3600,
          accessTokenFormat: resourceIndicator === resources.jwt ? 'jwt' : 'opaque',
          ...(resourceIndicator === resources.jwt ? { jwt: { sign: { alg: 'ES256' as const } } } : {}),
        }
      },
    },
  },
})

const http = createServer(provider.callback())
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
const { port } = http.address() as { port: number }
const started: OidcProviderStarted = { url: `http://127.0.0.1:${port}`, clients, resources }
process.stdout.write(`READY ${JSON.stringify(started)}\n`)
process.once('SIGTERM', () => http.close(() => process.exit(0)))

/** node-oidc-provider's storage contract over one Map, with expiry; no size cap. */
function MapAdapter(name: string): Adapter {
  const key = (id: string) => `${name}:${id}`
  return {
    async upsert(id, payload, expiresIn) {
      store.set(key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity })
      if (payload.grantId) grants.set(payload.grantId, [...(grants.get(payload.grantId) ?? []), key(id)])
      if (payload.uid) store.set(`uid:${payload.uid}`, { payload: { id } as AdapterPayload, expiresAt: Infinity })
      if (payload.userCode) store.set(`userCode:${payload.userCode}`, { payload: { id } as AdapterPayload, expiresAt: Infinity })
    },
    async find(id) {
      return live(key(id))
    },
    async findByUid(uid) {
      const id = live(`uid:${uid}`)?.id
      return typeof id === 'string' ? live(key(id)) : undefined
    },
    async findByUserCode(userCode) {
      const id = live(`userCode:${userCode}`)?.id
      return typeof id === 'string' ? live(key(id)) : undefined
    },
    async consume(id) {
      const payload = live(key(id))
      if (payload) payload.consumed = Math.floor(Date.now() / 1000)
    },
    async destroy(id) {
      store.delete(key(id))
    },
    async revokeByGrantId(grantId) {
      for (const stored of grants.get(grantId) ?? []) store.delete(stored)
      grants.delete(grantId)
    },
  }
}

function live(storeKey: string): AdapterPayload | undefined {
  const entry = store.get(storeKey)
  if (!entry) return undefined
  if (entry.expiresAt <= Date.now()) {
    store.delete(storeKey)
    return undefined
  }
  return entry.payload
}
