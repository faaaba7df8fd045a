import type { Redis } from 'ioredis'
import type { FailureStore } from './failure-store.js'

// Counting and setting the window happen in one step, so two nodes counting at once cannot both see
// a fresh key and reset each other's window. The PTTL test repairs a count left without expiry.
const ADD_FAILURE = `
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`

const LOCK = `
redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1`

/**
 * Failure counts in Redis, shared by every node: `INCR` with `PEXPIRE` for counts, a key with a
 * `PX` expiry for locks. Durations are relative, so nodes whose clocks differ a little still agree.
 *
 * When Redis cannot answer, the process goes on counting in its own memory (`fallback`) rather than
 * failing the request or letting guesses through unthrottled; `onError` hears about it.
 */
export class RedisFailureStore implements FailureStore {
  readonly shared = true

  constructor(
    private readonly redis: Redis,
    private readonly fallback: FailureStore,
    private readonly options: { namespace: string; onError: (error: unknown) => void },
  ) {}

  addFailure(key: string, windowMs: number, now: number): Promise<number> {
    return this.#orFallback(
      async () => Number(await this.redis.eval(ADD_FAILURE, 1, this.#count(key), String(Math.max(1, windowMs)))),
      () => this.fallback.addFailure(key, windowMs, now),
    )
  }

  lock(key: string, until: number, forgetCountAt: number, now: number): Promise<void> {
    return this.#orFallback(
      async () => void (await this.redis.eval(LOCK, 2, this.#count(key), this.#lock(key), String(Math.max(1, until - now)), String(Math.max(1, forgetCountAt - now)))),
      () => this.fallback.lock(key, until, forgetCountAt, now),
    )
  }

  lockedUntil(key: string, now: number): Promise<number> {
    return this.#orFallback(
      async () => {
        const remainingMs = await this.redis.pttl(this.#lock(key))
        return remainingMs > 0 ? now + remainingMs : 0
      },
      () => this.fallback.lockedUntil(key, now),
    )
  }

  forget(key: string): Promise<void> {
    return this.#orFallback(
      async () => void (await this.redis.del(this.#count(key), this.#lock(key))),
      () => this.fallback.forget(key),
    )
  }

  // The braces keep both keys of one subject in the same Redis Cluster slot, as the scripts need.
  #count(key: string): string {
    return `${this.options.namespace}{${key}}:failures`
  }

  #lock(key: string): string {
    return `${this.options.namespace}{${key}}:lock`
  }

  async #orFallback<T>(remote: () => Promise<T>, local: () => Promise<T>): Promise<T> {
    try {
      return await remote()
    } catch (error) {
      this.options.onError(error)
      return local()
    }
  }
}
