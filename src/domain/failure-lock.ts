/**
 * When repeated failures (wrong passwords, wrong client secrets, bad bearer tokens) turn into a
 * temporary lock, and for how long. Pure: the count comes from a store, `now` from the caller.
 *
 * Only failures count: a busy client that authenticates correctly is never slowed down here.
 */
export interface LockPolicy {
  /** Failures allowed within one window before the first lock. */
  freeFailures: number
  /** A window starts at its first failure; after it (and after any lock) the count starts again. */
  windowMs: number
  /** The first lock; each further failure doubles it, up to `maxLockMs`. */
  firstLockMs: number
  maxLockMs: number
}

/**
 * The lock earned by the `failures`-th failure of a window, or undefined while failures are still free.
 * Escalation makes guessing slow without locking anyone out for long: with 5 free failures and a
 * 30 s first lock, the 6th failure locks for 30 s, the 7th for 60 s, the 10th for 8 minutes.
 */
export function lockAfterFailure(policy: LockPolicy, failures: number, now: number): { until: number; forgetCountAt: number } | undefined {
  const beyond = failures - policy.freeFailures
  if (beyond <= 0) return undefined
  // 2**30 already exceeds any sane maximum; the cap keeps the arithmetic finite.
  const lockMs = Math.min(policy.maxLockMs, policy.firstLockMs * 2 ** Math.min(beyond - 1, 30))
  // The count outlives the lock by a window, so a failure right after the lock escalates instead of starting afresh.
  return { until: now + lockMs, forgetCountAt: now + lockMs + policy.windowMs }
}

/** RFC 9110 §10.2.3 `Retry-After` in whole seconds, never 0 while a lock lasts. */
export function retryAfterSeconds(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000))
}

/** "1 second", "45 seconds", "3 minutes", "2 hours": how long to wait, rounded up, for people. */
export function describeWait(seconds: number): string {
  const [amount, unit] = seconds < 60 ? [seconds, 'second'] : seconds < 3600 ? [Math.ceil(seconds / 60), 'minute'] : [Math.ceil(seconds / 3600), 'hour']
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`
}

/** The minute by which a lock has ended, as a person reads it: "14:05 UTC" (rounded up, never too early). */
export function describeInstant(at: number): string {
  return `${new Date(Math.ceil(at / 60_000) * 60_000).toISOString().slice(11, 16)} UTC`
}
