import { BoundedCache } from '../domain/bounded-cache.js'
import type { Clock } from '../domain/clock.js'
import { lockAfterFailure, retryAfterSeconds, type LockPolicy } from '../domain/failure-lock.js'
import type { FailureStore } from './failure-store.js'

export interface FailureThrottleDeps {
  store: FailureStore
  clock: Clock
  policy: LockPolicy
  /** Keeps one throttle's keys apart from another's in a shared store: `sign-in-account`, `gateway-address`… */
  name: string
}

/**
 * Counts one kind of failure per subject (an account, a client address) and locks a subject for a
 * while once its failures pass the policy's allowance. Successes cost nothing here.
 *
 * Every node remembers the locks it has set or seen, so the check on a hot path (the gateway, the
 * token endpoint) is a map look-up and no I/O. With a shared store another node's lock reaches this
 * one at the latest on its next counted failure (the shared count is already past the allowance),
 * or at once through `lockedForShared`, which sign-in uses because it is slow anyway.
 */
export class FailureThrottle {
  readonly #locks: BoundedCache<number>

  constructor(private readonly deps: FailureThrottleDeps, maxRememberedLocks = 100_000) {
    this.#locks = new BoundedCache(maxRememberedLocks)
  }

  /** False while this node knows of no lock at all: hot paths skip even working out the subject. */
  get hasLocks(): boolean {
    return this.#locks.size > 0
  }

  /** Seconds `subject` must still wait, by this node's knowledge alone; 0 when it may go on. */
  lockedFor(subject: string): number {
    if (this.#locks.size === 0) return 0
    const now = this.deps.clock.now()
    const until = this.#locks.get(subject, now)
    return until === undefined ? 0 : retryAfterSeconds(until, now)
  }

  /** The same, and asks a shared store too, so a lock set on another node applies here at once. */
  async lockedForShared(subject: string): Promise<number> {
    const known = this.lockedFor(subject)
    if (known > 0 || !this.deps.store.shared) return known
    const now = this.deps.clock.now()
    const until = await this.deps.store.lockedUntil(this.#key(subject), now)
    if (until <= now) return 0
    this.#locks.set(subject, until, until)
    return retryAfterSeconds(until, now)
  }

  /** Counts a failure by `subject`; resolves to the seconds it is now locked for, 0 when not. */
  async fail(subject: string): Promise<number> {
    const { store, clock, policy } = this.deps
    const now = clock.now()
    const failures = await store.addFailure(this.#key(subject), policy.windowMs, now)
    const lock = lockAfterFailure(policy, failures, now)
    if (!lock) return 0
    this.#locks.set(subject, lock.until, lock.until)
    await store.lock(this.#key(subject), lock.until, lock.forgetCountAt, now)
    return retryAfterSeconds(lock.until, now)
  }

  /** Forgets `subject`'s failures, as a successful sign-in does for its account. */
  async forget(subject: string): Promise<void> {
    this.#locks.delete(subject)
    await this.deps.store.forget(this.#key(subject))
  }

  #key(subject: string): string {
    return `${this.deps.name}:${subject}`
  }
}
