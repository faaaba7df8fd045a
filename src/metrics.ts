import fp from 'fastify-plugin'
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: GatehouseMetrics
  }
}

export interface GatehouseMetrics {
  registry: Registry
  tokensIssued: Counter<'grant_type'>
  gatewayDecisions: Counter<'outcome'>
  tokenEndpointSeconds: Histogram<'grant_type'>
}

/** Prometheus metrics at `GET /metrics`; one registry per app so tests and several apps in a process do not collide. */
export const metrics = fp(
  async (app) => {
    const registry = new Registry()
    collectDefaultMetrics({ register: registry })
    const tokensIssued = new Counter({ name: 'gatehouse_tokens_issued_total', help: 'Access tokens issued, by grant type', labelNames: ['grant_type'] as const, registers: [registry] })
    const gatewayDecisions = new Counter({ name: 'gatehouse_gateway_decisions_total', help: 'Gateway outcomes: allowed, missing_token, invalid_token, insufficient_scope', labelNames: ['outcome'] as const, registers: [registry] })
    const tokenEndpointSeconds = new Histogram({ name: 'gatehouse_token_endpoint_seconds', help: 'Token endpoint latency', labelNames: ['grant_type'] as const, registers: [registry], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25] })
    app.decorate('metrics', { registry, tokensIssued, gatewayDecisions, tokenEndpointSeconds })
    app.get('/metrics', async (_request, reply) => {
      reply.type(registry.contentType)
      return registry.metrics()
    })
  },
  { name: 'gatehouse-metrics' },
)
