import type { FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import { checkReadiness } from './readiness.js'

const CHECK_TIMEOUT_MS = 1000

/**
 * Probes for orchestrators and load balancers: `/healthz` says the process answers (liveness: restart
 * it if not), `/readyz` says its dependencies answer too (readiness: send it traffic). Neither is rate
 * limited, authenticated or sets cookies: probes come often, from the platform, without credentials.
 */
export async function healthRoutes(server: FastifyInstance): Promise<void> {
  const redis = server.config.redisUrl ? probeClient(server.config.redisUrl) : undefined
  if (redis) server.addHook('onClose', async () => redis.disconnect())

  server.get('/healthz', async (_request, reply) => {
    reply.header('cache-control', 'no-store')
    return { status: 'ok' }
  })

  server.get('/readyz', async (_request, reply) => {
    const { ready, checks } = await checkReadiness({ db: server.db, redis, timeoutMs: CHECK_TIMEOUT_MS })
    reply.code(ready ? 200 : 503).header('cache-control', 'no-store')
    return { status: ready ? 'ready' : 'unavailable', checks }
  })
}

/** Its own connection, so a probe never waits behind rate-limit or revocation traffic, and never fails the process. */
function probeClient(url: string): Redis {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: CHECK_TIMEOUT_MS, maxRetriesPerRequest: 1 })
  redis.on('error', () => {
    // Reported through /readyz; ioredis keeps reconnecting on its own.
  })
  return redis
}
