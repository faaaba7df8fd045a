import rateLimit from '@fastify/rate-limit'
import type { FastifyBaseLogger } from 'fastify'
import fp from 'fastify-plugin'
import { Redis } from 'ioredis'
import type { Config } from '../config.js'
import type { Clock } from '../domain/clock.js'
import type { LockPolicy } from '../domain/failure-lock.js'
import { ConcurrencyLimit } from './concurrency-limit.js'
import { MemoryFailureStore, type FailureStore } from './failure-store.js'
import { FailureThrottle } from './failure-throttle.js'
import { PasswordAttempts } from './password-attempts.js'
import { RedisFailureStore } from './redis-failure-store.js'

export { throttleClientAuthentication, throttleInvalidTokens } from './request-throttles.js'
export type { PasswordAttempts } from './password-attempts.js'

/** One throttle per kind of failure; undefined where the configuration turns it off. */
export interface FailureThrottles {
  signInAccount: FailureThrottle | undefined
  signInAddress: FailureThrottle | undefined
  clientAuthentication: FailureThrottle | undefined
  invalidToken: FailureThrottle | undefined
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Pass as a route's `config.rateLimit`: a plain per-address request cap (registration), or false when off. */
    rateLimitConfig: { max: number; timeWindow: number } | false
    failureThrottles: FailureThrottles
    /** Every password check goes through it: throttled per account and address, hashing under a concurrency limit. */
    passwordAttempts: PasswordAttempts
  }
}

/**
 * Limits that protect the server from guessing and floods: the failure throttles (sign-in,
 * client authentication, bearer tokens at the gateway), the password-hashing concurrency limit,
 * and @fastify/rate-limit's plain request cap for the few routes that still want one.
 * With `REDIS_URL`, counts are shared by every node; without it, each process counts alone.
 */
export const security = fp(
  async (server) => {
    const { config, clock } = server
    const redis = config.redisUrl ? await connectRedis(config.redisUrl, server.log) : undefined
    if (redis) server.addHook('onClose', async () => void (await redis.quit().catch(() => {})))

    await server.register(rateLimit, {
      global: false,
      max: config.rateLimitPerMinute || 1,
      timeWindow: 60_000,
      ...(redis ? { redis, nameSpace: `gatehouse-rl-${config.issuer}-`, skipOnError: true } : {}),
    })
    server.decorate('rateLimitConfig', config.rateLimitPerMinute > 0 ? { max: config.rateLimitPerMinute, timeWindow: 60_000 } : false)

    const store = failureStore(config, redis, server.log)
    const throttles = failureThrottles(config, clock, store)
    server.decorate('failureThrottles', throttles)
    server.decorate('passwordAttempts', new PasswordAttempts({
      clock,
      perAccount: throttles.signInAccount,
      perAddress: throttles.signInAddress,
      hashing: new ConcurrencyLimit({
        concurrency: config.passwordHashConcurrency,
        queue: config.passwordHashQueue,
        refusal: { message: 'Too many sign-ins are being checked right now; try again in a few seconds', retryAfterSeconds: 2 },
      }),
    }))
  },
  { name: 'gatehouse-security', dependencies: ['gatehouse-core'] },
)

function failureThrottles(config: Config, clock: Clock, store: FailureStore): FailureThrottles {
  const lock = { firstLockMs: config.failureLockSeconds * 1000, maxLockMs: config.failureLockMaxSeconds * 1000 }
  const window = config.failureWindowSeconds * 1000
  // A setting of N means the N-th failure locks.
  const throttle = (name: string, lockingFailure: number, windowMs: number) =>
    config.throttle && lockingFailure > 0
      ? new FailureThrottle({ store, clock, name, policy: { freeFailures: lockingFailure - 1, windowMs, ...lock } satisfies LockPolicy })
      : undefined
  return {
    signInAccount: throttle('sign-in-account', config.signInFailuresPerAccount, window),
    signInAddress: throttle('sign-in-address', config.signInFailuresPerAddress, window),
    clientAuthentication: throttle('client-auth-address', config.clientAuthFailuresPerAddress, window),
    // Per minute: a busy network (many clients behind one NAT, each meeting an expired token now and
    // then) must not add up to a lock over a long window; a flood of forged tokens does at once.
    invalidToken: throttle('invalid-token-address', config.invalidTokensPerMinute, 60_000),
  }
}

function failureStore(config: Config, redis: Redis | undefined, log: FastifyBaseLogger): FailureStore {
  const memory = new MemoryFailureStore()
  if (!redis) return memory
  let lastWarning = 0
  return new RedisFailureStore(redis, memory, {
    // One deployment shares one issuer, so deployments (and test servers) sharing a Redis count apart.
    namespace: `gatehouse:throttle:${config.issuer}:`,
    onError: (error) => {
      // An outage fails every call alike: one warning a minute, not one per request.
      if (Date.now() - lastWarning < 60_000) return
      lastWarning = Date.now()
      log.warn({ err: error }, 'Redis cannot count failures; this node counts alone until it is back')
    },
  })
}

/**
 * One connection for the request cap and the failure counts. Commands fail at once while Redis is
 * away (no offline queue), so a sign-in never waits on a reconnect: the memory store takes over.
 */
async function connectRedis(url: string, log: FastifyBaseLogger): Promise<Redis> {
  const redis = new Redis(url, { connectTimeout: 500, maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: true })
  // Redis going away must not print an unhandled-error report per retry; callers fall back meanwhile.
  redis.on('error', () => {})
  await redis.connect().catch((error: unknown) => log.warn({ err: error }, 'Redis is unreachable at start; failures are counted per node until it is back'))
  return redis
}
