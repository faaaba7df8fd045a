import { checkCurrentUser, checkHelloWorld, checkIntrospection, checkIssuance } from './checks.js'
import type { Load, PooledRequest } from './load.js'
import type { BenchApp, GatehouseSettings } from './protocol.js'

/** A token of a pool, with the app (client) it was issued to. */
export interface PooledToken {
  token: string
  app: BenchApp
}

/** What the runner has built before the scenarios run. */
export interface Pools {
  gatehouse?: { apps: BenchApp[]; tokens: PooledToken[] }
  oidcProvider?: { clients: BenchApp[]; tokens: PooledToken[]; resources: { jwt: string; opaque: string } }
}

export type ServerName = 'gatehouse' | 'oidc-provider'

export interface Scenario {
  name: string
  description: string
  server: ServerName
  /** Gatehouse settings by environment variable, over the shipped defaults. */
  env?: Record<string, string>
  /** The oidc-provider scenario this one is compared with. */
  comparedWith?: string
  /** Minimum share of the baseline's throughput; undefined for informative rows. */
  target?: number
  load(pools: Pools): Load
  /** Whether the server's settings are the ones the scenario's claims rest on; a reason when not. */
  precondition?(settings: GatehouseSettings, pools: Pools): string | undefined
}

/** Pool sizes: at least 10,000 tokens from 100 apps; the cold gateway pool is twice the shipped gateway cache. */
export const POOL = {
  users: 10,
  apps: 100,
  /** Tokens issued by the apps in turn; the warm scenarios use the first WARM_TOKENS. */
  tokens: 20_000,
  warmTokens: 10_000,
  oidcProviderTokens: 10_000,
} as const

/**
 * Every per-address limit off: the request cap (GATEHOUSE_RATE_LIMIT) and the failure throttles
 * (GATEHOUSE_THROTTLE, where the server has them; a server without ignores the variable).
 */
export const LIMITS_OFF = { GATEHOUSE_RATE_LIMIT: '0', GATEHOUSE_THROTTLE: 'false' }
const form = { 'content-type': 'application/x-www-form-urlencoded' }

export const SCENARIOS: Scenario[] = [
  {
    name: 'gateway-warm',
    description: `GET /2.0/bench/gated (handler does nothing), ${POOL.warmTokens} tokens in turn, all in the verified-token cache`,
    server: 'gatehouse',
    target: 0.7,
    load: (pools) => warm(gatewayLoad(gatehouseTokens(pools).slice(0, POOL.warmTokens), '/2.0/bench/gated', (_token, status, body) => checkHelloWorld(status, body))),
    precondition: ({ gatewayCacheSize }) =>
      gatewayCacheSize >= POOL.warmTokens ? undefined : `the gateway cache holds ${gatewayCacheSize} tokens, fewer than the ${POOL.warmTokens} of the warm pool`,
  },
  {
    name: 'gateway-cold',
    description: `GET /2.0/bench/gated, ${POOL.tokens} tokens in turn through the shipped cache: every request checks a signature`,
    server: 'gatehouse',
    load: (pools) => gatewayLoad(gatehouseTokens(pools), '/2.0/bench/gated', (_token, status, body) => checkHelloWorld(status, body)),
    // The cache drops its oldest entry when full, so a pool larger than it, sent in turn, never hits.
    precondition: ({ gatewayCacheSize }) =>
      gatewayCacheSize < POOL.tokens ? undefined : `the gateway cache holds ${gatewayCacheSize} tokens, enough for the whole ${POOL.tokens}-token pool`,
  },
  {
    name: 'gateway-user',
    description: `GET /2.0/user (one database read), ${POOL.warmTokens} tokens in turn, answer names the token's user`,
    server: 'gatehouse',
    load: (pools) => warm(gatewayLoad(gatehouseTokens(pools).slice(0, POOL.warmTokens), '/2.0/user', (token, status, body) => checkCurrentUser(status, body, token.app))),
  },
  {
    name: 'issuance',
    description: `POST /oauth/token, client_credentials, ${POOL.apps} apps in turn, per-address limits as shipped`,
    server: 'gatehouse',
    comparedWith: 'oidc-provider-issuance-jwt',
    target: 0.25,
    load: (pools) => issuanceLoad(gatehouseApps(pools), '/oauth/token', 'grant_type=client_credentials&scope=account', 'jwt'),
  },
  {
    name: 'issuance-no-limit',
    description: 'the same with every limit off (GATEHOUSE_RATE_LIMIT=0, GATEHOUSE_THROTTLE=false)',
    server: 'gatehouse',
    env: LIMITS_OFF,
    comparedWith: 'oidc-provider-issuance-jwt',
    target: 0.25,
    load: (pools) => issuanceLoad(gatehouseApps(pools), '/oauth/token', 'grant_type=client_credentials&scope=account', 'jwt'),
    precondition: limitsOff,
  },
  {
    name: 'introspection',
    description: `POST /oauth/introspect, ${POOL.warmTokens} tokens in turn, each by its own app, per-address limits as shipped`,
    server: 'gatehouse',
    comparedWith: 'oidc-provider-introspection',
    target: 0.25,
    load: (pools) => warm(introspectionLoad(gatehouseTokens(pools).slice(0, POOL.warmTokens), '/oauth/introspect')),
  },
  {
    name: 'introspection-no-limit',
    description: 'the same with every limit off (GATEHOUSE_RATE_LIMIT=0, GATEHOUSE_THROTTLE=false)',
    server: 'gatehouse',
    env: LIMITS_OFF,
    comparedWith: 'oidc-provider-introspection',
    target: 0.25,
    load: (pools) => warm(introspectionLoad(gatehouseTokens(pools).slice(0, POOL.warmTokens), '/oauth/introspect')),
    precondition: limitsOff,
  },
  {
    name: 'oidc-provider-issuance-jwt',
    description: `node-oidc-provider POST /token, client_credentials, ${POOL.apps} clients in turn, ES256 JWT access tokens`,
    server: 'oidc-provider',
    load: (pools) => {
      const { clients, resources } = oidcProvider(pools)
      return issuanceLoad(clients, '/token', `grant_type=client_credentials&scope=account&resource=${encodeURIComponent(resources.jwt)}`, 'jwt')
    },
  },
  {
    name: 'oidc-provider-issuance-opaque',
    description: 'the same with opaque access tokens (stored in memory)',
    server: 'oidc-provider',
    load: (pools) => {
      const { clients, resources } = oidcProvider(pools)
      return issuanceLoad(clients, '/token', `grant_type=client_credentials&scope=account&resource=${encodeURIComponent(resources.opaque)}`, 'opaque')
    },
  },
  {
    name: 'oidc-provider-introspection',
    description: `node-oidc-provider POST /token/introspection, ${POOL.oidcProviderTokens} opaque tokens in turn, each by its own client`,
    server: 'oidc-provider',
    load: (pools) => warm(introspectionLoad(oidcProvider(pools).tokens, '/token/introspection')),
  },
]

/** The bare-Fastify baseline: the same client work (a pool in turn, a bearer header, a checked body) against a route that does nothing. */
export function baselineLoad(pools: Pools): Load {
  const tokens = pools.gatehouse?.tokens.slice(0, POOL.warmTokens).map(({ token }) => token) ?? Array.from({ length: POOL.warmTokens }, () => 'x'.repeat(600))
  const requests = tokens.map((token) => ({ method: 'GET' as const, path: '/bench/baseline', headers: { authorization: `Bearer ${token}` } }))
  return { requests, check: (_index, status, body) => checkHelloWorld(status, body) }
}

/** Basic credentials as RFC 6749 §2.3.1 has them: the form-encoded id and secret. */
export function basicAuthorization(app: BenchApp): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString('base64')}`
}

/** client_credentials requests from each app in turn; the check wants an access token of `format`. */
export function issuanceLoad(apps: readonly BenchApp[], path: string, body: string, format: 'jwt' | 'opaque'): Load {
  const requests: PooledRequest[] = apps.map((app) => ({ method: 'POST', path, headers: { ...form, authorization: basicAuthorization(app) }, body }))
  return { requests, check: (_index, status, responseBody) => checkIssuance(status, responseBody, { format }) }
}

function gatewayLoad(tokens: readonly PooledToken[], path: string, check: (token: PooledToken, status: number, body: string) => string | undefined): Load {
  const requests: PooledRequest[] = tokens.map(({ token }) => ({ method: 'GET', path, headers: { authorization: `Bearer ${token}` } }))
  return { requests, check: (index, status, body) => check(tokens[index], status, body) }
}

function introspectionLoad(tokens: readonly PooledToken[], path: string): Load {
  const requests: PooledRequest[] = tokens.map(({ token, app }) => ({
    method: 'POST',
    path,
    headers: { ...form, authorization: basicAuthorization(app) },
    body: `token=${encodeURIComponent(token)}`,
  }))
  return { requests, check: (index, status, body) => checkIntrospection(status, body, tokens[index].app) }
}

function limitsOff({ rateLimitPerMinute, throttle }: GatehouseSettings): string | undefined {
  if (rateLimitPerMinute !== 0) return `the rate limit is ${rateLimitPerMinute}, not off`
  if (throttle) return 'the failure throttles are on'
  return undefined
}

/** Measured with every token of the pool sent once before, so caches that fit the pool are warm. */
function warm(load: Load): Load {
  return { ...load, warmPass: true }
}

function gatehouseTokens(pools: Pools): PooledToken[] {
  if (!pools.gatehouse) throw new Error('the Gatehouse pools were not built')
  return pools.gatehouse.tokens
}

function gatehouseApps(pools: Pools): BenchApp[] {
  if (!pools.gatehouse) throw new Error('the Gatehouse pools were not built')
  return pools.gatehouse.apps
}

function oidcProvider(pools: Pools): NonNullable<Pools['oidcProvider']> {
  if (!pools.oidcProvider) throw new Error('the oidc-provider pools were not built')
  return pools.oidcProvider
}
