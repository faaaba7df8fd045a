/**
 * Where failure counts and locks live: this process's memory, or Redis so that every node of a
 * deployment counts together. Tiny on purpose (count, lock, read a lock, forget), like a storage
 * adapter: the policy deciding when to lock is `src/domain/failure-lock.ts`.
 */
export interface FailureStore {
  /** Whether other processes see the same counts (then a lock set elsewhere is worth asking about). */
  readonly shared: boolean
  /** Counts one failure under `key`; a count's window starts at its first failure and lasts `windowMs`. Resolves to the count, this failure included. */
  addFailure(key: string, windowMs: number, now: number): Promise<number>
  /** Locks `key` until `until`, and keeps its count until `forgetCountAt` so the next failure escalates. */
  lock(key: string, until: number, forgetCountAt: number, now: number): Promise<void>
  /** When `key`'s lock ends; 0 when it is not locked. */
  lockedUntil(key: string, now: number): Promise<number>
  /** Forgets `key`'s failures and any lock. */
  forget(key: string): Promise<void>
}

interface Entry {
  failures: number
  forgetAt: number
  lockedUntil: number
}

/**
 * The store of a single process. Bounded, so a flood of distinct keys (addresses, made-up
 * usernames) cannot grow it without limit: when full, the oldest entry makes room. An attacker
 * would need that many distinct addresses, each throttled on its own, to push its lock out.
 */
export class MemoryFailureStore implements FailureStore {
  readonly shared = false
  readonly #entries = new Map<string, Entry>()

  constructor(private readonly maxEntries = 100_000) {}

  async addFailure(key: string, windowMs: number, now: number): Promise<number> {
    const entry = this.#live(key, now)
    if (entry) {
      entry.failures++
      return entry.failures
    }
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!)
    this.#entries.set(key, { failures: 1, forgetAt: now + windowMs, lockedUntil: 0 })
    return 1
  }

  async lock(key: string, until: number, forgetCountAt: number, now: number): Promise<void> {
    const entry = this.#live(key, now)
    if (!entry) return
    entry.lockedUntil = until
    entry.forgetAt = Math.max(entry.forgetAt, forgetCountAt)
  }

  async lockedUntil(key: string, now: number): Promise<number> {
    const until = this.#live(key, now)?.lockedUntil ?? 0
    return until > now ? until : 0
  }

  async forget(key: string): Promise<void> {
    this.#entries.delete(key)
  }

  #live(key: string, now: number): Entry | undefined {
    const entry = this.#entries.get(key)
    if (entry && entry.forgetAt <= now && entry.lockedUntil <= now) {
      this.#entries.delete(key)
      return undefined
    }
    return entry
  }
}
