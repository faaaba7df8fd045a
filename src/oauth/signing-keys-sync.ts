import { Redis } from 'ioredis'
import { KEY_POLL_MS, type SigningKeys } from './signing-keys.js'

const CHANNEL = 'gatehouse:signing-keys'

/**
 * Keeps a process's signing keys in step with the database: a re-read every `KEY_POLL_MS`, and,
 * with Redis, at once when another process announces a change (`keys rotate`). The poll alone is
 * enough for the activation delay; the announcement makes a rotation visible in every JWKS at once.
 */
export class SigningKeySync {
  #timer: NodeJS.Timeout | undefined
  #subscriber: Redis | undefined
  #lastProblem: string | undefined

  constructor(
    private readonly keys: SigningKeys,
    private readonly options: { redisUrl?: string; pollMs?: number; onError: (error: Error) => void },
  ) {}

  async start(): Promise<void> {
    this.#timer = setInterval(() => void this.reload(), this.options.pollMs ?? KEY_POLL_MS)
    this.#timer.unref()
    if (!this.options.redisUrl) return
    this.#subscriber = new Redis(this.options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    this.#subscriber.on('error', () => {})
    this.#subscriber.on('message', () => void this.reload())
    try {
      await this.#subscriber.connect()
      await this.#subscriber.subscribe(CHANNEL)
    } catch (error) {
      // Redis being down must not stop the server: the poll still brings rotations in time.
      this.options.onError(error as Error)
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    this.#subscriber?.disconnect()
  }

  private async reload(): Promise<void> {
    try {
      await this.keys.reload()
      this.#lastProblem = undefined
    } catch (error) {
      // Reported once, not on every poll; the keys already loaded keep working meanwhile.
      const message = (error as Error).message
      if (message !== this.#lastProblem) this.options.onError(error as Error)
      this.#lastProblem = message
    }
  }
}

/** Tells every process that the keys changed (best effort: each still polls). */
export async function announceKeyChange(redisUrl: string | undefined): Promise<void> {
  if (!redisUrl) return
  const publisher = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2000 })
  publisher.on('error', () => {})
  try {
    await publisher.connect()
    await publisher.publish(CHANNEL, 'changed')
  } catch {
    // Without the announcement every node still picks the change up within KEY_POLL_MS.
  } finally {
    publisher.disconnect()
  }
}
