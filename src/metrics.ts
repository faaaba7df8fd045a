import { createHash, timingSafeEqual } from 'node:crypto'
import type { onRequestHookHandler } from 'fastify'
import fp from 'fastify-plugin'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { parseAuthorization } from './domain/credentials.js'
import { isLoopbackHost } from './domain/loopback.js'
import { ForbiddenError, InvalidTokenError, MissingTokenError } from './errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: GatehouseMetrics
  }
}

export interface GatehouseMetrics {
  registry: Registry
  tokensIssued: Counter<'grant_type'>
  gatewayDecisions: Counter<'outcome'>
  /** Requests admitted on a classic scope past its deprecation day, under GATEHOUSE_CLASSIC_SCOPES=warn. */
  deprecatedScopeUses: Counter<'scope'>
  tokenEndpointSeconds: Histogram<'grant_type'>
}

/**
 * Prometheus metrics at `GET /metrics`; one registry per app so tests and several apps in a process do not collide.
 * They tell an outsider how busy the server is and which apps are used, so beyond loopback they need a token.
 */
export const metrics = fp(
  async (server) => {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry })
    const tokensIssued = new Counter({ name: 'gatehouse_tokens_issued_total', help: 'Access tokens issued, by grant type', labelNames: ['grant_type'] as const, registers: [registry] })
    const gatewayDecisions = new Counter({ name: 'gatehouse_gateway_decisions_total', help: 'Gateway outcomes: allowed, missing_token, invalid_token, insufficient_scope, workspace_not_granted', labelNames: ['outcome'] as const, registers: [registry] })
    const deprecatedScopeUses = new Counter({ name: 'gatehouse_deprecated_scope_uses_total', help: 'Requests admitted on a classic scope past its deprecation day (GATEHOUSE_CLASSIC_SCOPES=warn), by scope', labelNames: ['scope'] as const, registers: [registry] })
    const tokenEndpointSeconds = new Histogram({ name: 'gatehouse_token_endpoint_seconds', help: 'Token endpoint latency', labelNames: ['grant_type'] as const, registers: [registry], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25] })
    server.decorate('metrics', { registry, tokensIssued, gatewayDecisions, deprecatedScopeUses, tokenEndpointSeconds })
    server.get('/metrics', { onRequest: metricsAccess(server.config) }, async (_request, reply) => {
      reply.type(registry.contentType)
      return registry.metrics()
    })
  },
  { name: 'gatehouse-metrics', dependencies: ['gatehouse-core'] },
)

/**
 * With `GATEHOUSE_METRICS_TOKEN` set, every request must bear it, wherever the server listens. Without
 * one, metrics are open on a loopback listener (the embedded default, or a node behind a local
 * scraper) and refused beyond it, with a message that says how to turn them on.
 */
export function metricsAccess({ host, metricsToken }: { host: string; metricsToken: string | undefined }): onRequestHookHandler {
  if (metricsToken === undefined) {
    const open = isLoopbackHost(host)
    return async () => {
      if (!open) throw new ForbiddenError('Metrics are served beyond loopback only with a token: set GATEHOUSE_METRICS_TOKEN and send "Authorization: Bearer <token>"')
    }
  }
  const expected = digest(metricsToken)
  return async (request) => {
    const credential = parseAuthorization(request.headers.authorization)
    if (credential.kind === 'none') throw new MissingTokenError('Metrics need the metrics token: send "Authorization: Bearer <GATEHOUSE_METRICS_TOKEN>"')
    // Digests have one length, so the comparison takes the same time whatever was sent.
    if (credential.kind !== 'bearer' || !timingSafeEqual(digest(credential.token), expected)) throw new InvalidTokenError('The metrics token is not right')
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}
