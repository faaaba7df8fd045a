import type { onRequestHookHandler, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { VerifiedTokenCache } from '../oauth/verified-token-cache.js'
import { API_BASE_PATH, routePath, type ApiOperation } from './api-description.js'
import { throttleInvalidTokens } from '../security/index.js'
import { API_RESPONSE_HEADERS, setApiHeaders } from '../security/json-response-headers.js'
import { AccessTokenAuthenticator } from './access-token-authenticator.js'
import type { Authenticator } from './authenticator.js'
import { compileRequirements } from '../domain/scope-requirements.js'
import { Gate } from './gate.js'
import { ScopeUsageCounters } from './scope-usage-counters.js'
import { scopeUsageStore } from './scope-usage-store.js'
import './identity.js'
import { upstreamProxy } from './proxy.js'

declare module 'fastify' {
  interface FastifyInstance {
    gate: Pick<Gate, 'add'> & {
      /**
       * What a `/2.0` route gets, for a route outside it (`onRequest: server.gate.guard(…)`): the API's
       * response headers, then the gate with these requirements (`[[]]`: any valid token). `name` labels its usage counts.
       */
      guard(name: string, requirements: string[][]): onRequestHookHandler[]
    }
    /** What the calls the gate let through needed, per app; drained in batches by the usage store. */
    scopeUsage: ScopeUsageCounters
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
  async (server) => {
    const accessTokens = new AccessTokenAuthenticator({
      accessTokens: server.accessTokens,
      clock: server.clock,
      cache: server.config.gatewayCacheSize > 0 ? new VerifiedTokenCache(server.config.gatewayCacheSize) : undefined,
    })
    const gate = new Gate({
      authenticators: [accessTokens],
      revocations: server.revocations,
      decisions: server.metrics.gatewayDecisions,
      clock: server.clock,
      classicScopes: server.config.classicScopes,
      deprecatedScopeUses: server.metrics.deprecatedScopeUses,
      deprecationLink: `${server.config.issuer}/docs/scopes`,
    })
    const usage = new ScopeUsageCounters()
    // An operation's requirements as the gate checks them, each with its usage counter.
    const guarded = (operationId: string, alternatives: string[][]) => {
      const requirements = compileRequirements(alternatives, server.apiDescription.scopes)
      return { requirements, usage: requirements.map((r) => usage.counterFor(operationId, r.scopes)) }
    }
    // Where later capabilities (API tokens, installations) plug in their authenticators.
    server.decorate('gate', {
      add: (authenticator: Authenticator) => gate.add(authenticator),
      guard: (name: string, requirements: string[][]) => [setApiHeaders, gate.hook(guarded(name, requirements))],
    })
    server.decorate('scopeUsage', usage)
    await server.register(scopeUsageStore, { counters: usage })
    server.decorateRequest('identity', null)
    server.addHook('onRoute', (route) => {
      const operation = operationOf(route, server.apiDescription.operations)
      if (!operation) return
      const gateHooks = operation.requirements ? [gate.hook(guarded(operation.operationId, operation.requirements))] : []
      route.onRequest = [setApiHeaders, ...gateHooks, ...hooks(route.onRequest)]
    })
    // An address sending invalid tokens is locked out of the API for a while; the gate itself is untouched.
    throttleInvalidTokens(server, server.failureThrottles.invalidToken, { apiBasePath: API_BASE_PATH, refusalHeaders: API_RESPONSE_HEADERS })
    if (server.config.upstreamUrl) await server.register(upstreamProxy, { upstreamUrl: server.config.upstreamUrl })
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
