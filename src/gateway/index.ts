import type { RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { VerifiedTokenCache } from '../oauth/verified-token-cache.js'
import { API_BASE_PATH, routePath, type ApiOperation } from './api-description.js'
import { throttleInvalidTokens } from '../security/index.js'
import { API_RESPONSE_HEADERS, setApiHeaders } from '../security/json-response-headers.js'
import { AccessTokenAuthenticator } from './access-token-authenticator.js'
import type { Authenticator } from './authenticator.js'
import { Gate } from './gate.js'
import './identity.js'
import { upstreamProxy } from './proxy.js'

declare module 'fastify' {
  interface FastifyInstance {
    gate: Pick<Gate, 'add'>
  }
  interface FastifyContextConfig {
    /** The OpenAPI operation a route implements; the gate takes its required scopes from the document. */
    operationId?: string
  }
}

/**
 * The request gate in front of `/2.0/`: credential → authenticator → identity → scope checks → the API.
 * Registered before the API so it sees every route: a route names its OpenAPI
 * operation and the gate is attached from the document, so scopes are written
 * once. A `/2.0` route that names no operation, or another operation's path,
 * stops start-up rather than going out unguarded.
 */
export const gateway = fp(
  async (app) => {
    const accessTokens = new AccessTokenAuthenticator({
      accessTokens: app.accessTokens,
      clock: app.clock,
      cache: app.config.gatewayCacheSize > 0 ? new VerifiedTokenCache(app.config.gatewayCacheSize) : undefined,
    })
    const gate = new Gate({ authenticators: [accessTokens], revocations: app.revocations, decisions: app.metrics.gatewayDecisions })
    // Where later capabilities (API tokens, installations) plug in their authenticators.
    app.decorate('gate', { add: (authenticator: Authenticator) => gate.add(authenticator) })
    app.decorateRequest('identity', null)
    app.addHook('onRoute', (route) => {
      const operation = operationOf(route, app.apiDescription.operations)
      if (!operation) return
      const gateHooks = operation.requiredScopes ? [gate.hook(operation.requiredScopes)] : []
      route.onRequest = [setApiHeaders, ...gateHooks, ...hooks(route.onRequest)]
    })
    // An address sending invalid tokens is locked out of the API for a while; the gate itself is untouched.
    throttleInvalidTokens(app, app.failureThrottles.invalidToken, { apiBasePath: API_BASE_PATH, refusalHeaders: API_RESPONSE_HEADERS })
    if (app.config.upstreamUrl) await app.register(upstreamProxy, { upstreamUrl: app.config.upstreamUrl })
  },
  { name: 'gatehouse-gateway', dependencies: ['gatehouse-core', 'gatehouse-api-description', 'gatehouse-metrics', 'gatehouse-security'] },
)

/** The operation a route implements, checked against the route's method and path; undefined outside the API. */
function operationOf(route: RouteOptions, operations: readonly ApiOperation[]): ApiOperation | undefined {
  const operationId = route.config?.operationId
  const where = `${route.method} ${route.url}`
  if (operationId === undefined) {
    if (route.url === API_BASE_PATH || route.url.startsWith(`${API_BASE_PATH}/`)) {
      throw new Error(`${where} names no OpenAPI operation (config.operationId); every API route must`)
    }
    return undefined
  }
  const operation = operations.find((o) => o.operationId === operationId)
  if (!operation) throw new Error(`${where} names the operation "${operationId}", which the API description lacks`)
  const method = route.method === 'HEAD' && operation.method !== 'HEAD' ? 'GET' : route.method
  if (method !== operation.method || route.url !== routePath(operation.path)) {
    throw new Error(`${where} names the operation "${operationId}", which is ${operation.method} ${routePath(operation.path)}`)
  }
  return operation
}

function hooks<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}
