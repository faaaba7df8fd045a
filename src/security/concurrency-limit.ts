import { ServiceUnavailableError } from '../errors.js'

export interface ConcurrencyLimitOptions {
  /** Tasks running at once. */
  concurrency: number
  /** Tasks waiting for a turn; one more is refused. */
  queue: number
  /** What a refused caller is told, and for how long to wait. */
  refusal: { message: string; retryAfterSeconds: number }
}

/**
 * Runs at most `concurrency` tasks at once and lets at most `queue` more wait; beyond that it
 * refuses with 503 and `Retry-After` at once, rather than letting a backlog grow that no client
 * will wait for.
 *
 * Password checks run under one: scrypt runs on libuv's thread pool (4 threads by default), which
 * also signs and verifies tokens and reads files, so a flood of sign-ins left unbounded would
 * hold every thread and starve the rest of the server.
 */
export class ConcurrencyLimit {
  #running = 0
  readonly #waiting: (() => void)[] = []

  constructor(private readonly options: ConcurrencyLimitOptions) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.#turn()
    try {
      return await task()
    } finally {
      this.#release()
    }
  }

  /** Tasks running and waiting now, for tests and metrics. */
  get load(): { running: number; waiting: number } {
    return { running: this.#running, waiting: this.#waiting.length }
  }

  #turn(): Promise<void> | void {
    if (this.#running < this.options.concurrency) {
      this.#running++
      return
    }
    if (this.#waiting.length >= this.options.queue) {
      const { message, retryAfterSeconds } = this.options.refusal
      throw new ServiceUnavailableError(message, retryAfterSeconds)
    }
    return new Promise((resolve) => this.#waiting.push(resolve))
  }

  // A finished task hands its place straight to the next waiter, so a newcomer cannot jump the queue.
  #release(): void {
    const next = this.#waiting.shift()
    if (next) next()
    else this.#running--
  }
}
