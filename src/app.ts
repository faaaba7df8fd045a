import formbody from '@fastify/formbody'
import rateLimit from '@fastify/rate-limit'
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import { Redis } from 'ioredis'
import type { Config } from './config.js'
import { core, type CoreOptions } from './core.js'
import { apiDescription } from './gateway/api-description.js'
import { gateway } from './gateway/index.js'
import { metrics } from './metrics.js'
import { oauth } from './oauth/index.js'
import { platformApi } from './platform/index.js'
import { frameworkErrorHandler, installErrorHandling } from './web/error-handler.js'
import { web } from './web/index.js'

export type BuildOptions = Omit<CoreOptions, 'config'>

/** Builds the whole server; `server.ts` listens, tests `inject()` or listen on port 0. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { level: config.logLevel },
    trustProxy: config.trustProxy,
    // Request logs would dominate the gateway's cost; errors are still logged.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    bodyLimit: 256 * 1024,
    frameworkErrors: frameworkErrorHandler,
    routerOptions: { ignoreTrailingSlash: true },
  })
  installErrorHandling(app)

  await app.register(core, { config, ...options })
  await app.register(apiDescription)
  await app.register(formbody)
  // With Redis, limits are shared by every node; without, each process counts alone.
  const rateLimitRedis = config.redisUrl ? new Redis(config.redisUrl, { connectTimeout: 500, maxRetriesPerRequest: 1 }) : undefined
  if (rateLimitRedis) app.addHook('onClose', async () => void (await rateLimitRedis.quit().catch(() => {})))
  await app.register(rateLimit, {
    global: false,
    max: config.rateLimitPerMinute || 1,
    timeWindow: 60_000,
    ...(rateLimitRedis ? { redis: rateLimitRedis, nameSpace: 'gatehouse-rl-', skipOnError: true } : {}),
  })
  app.decorate('rateLimitConfig', config.rateLimitPerMinute > 0 ? { max: config.rateLimitPerMinute, timeWindow: 60_000 } : false)

  await app.register(metrics)
  await app.register(web)
  await app.register(oauth)
  await app.register(gateway)
  if (!config.upstreamUrl) await app.register(platformApi)
  return app
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Pass as a route's `config.rateLimit`: the per-client limit on credential-guessing endpoints, or false when off. */
    rateLimitConfig: { max: number; timeWindow: number } | false
  }
}
