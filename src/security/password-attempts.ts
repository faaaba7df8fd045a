import { createHash } from 'node:crypto'
import { addressKey } from '../domain/client-address.js'
import type { Clock } from '../domain/clock.js'
import { describeInstant, describeWait } from '../domain/failure-lock.js'
import { OAuthError, TooManyAttemptsError } from '../errors.js'
import type { ConcurrencyLimit } from './concurrency-limit.js'
import type { FailureThrottle } from './failure-throttle.js'

export interface PasswordAttemptsDeps {
  clock: Clock
  /** Undefined turns that throttle off. */
  perAccount: FailureThrottle | undefined
  perAddress: FailureThrottle | undefined
  /** Password checks (scrypt) running at once. */
  hashing: ConcurrencyLimit
}

/**
 * Every check of a user's password (the sign-in form, the password grant) goes through here:
 * - refused with 429 while the username or the client address is locked, before any hashing;
 * - run under the password-hashing concurrency limit (503 beyond it);
 * - a failure counts against the username and the address, a success forgets the username's count.
 *
 * Usernames are counted whether or not such an account exists, and a lock answers the same way for
 * both, so a lock reveals nothing about which accounts exist. A success does not forget the
 * address's count: signing in to one's own account must not buy more guesses at others'.
 */
export class PasswordAttempts {
  constructor(private readonly deps: PasswordAttemptsDeps) {}

  /** Runs `check`, which resolves to undefined when the username or password is wrong. */
  async attempt<T>(address: string, username: string, check: () => Promise<T | undefined>): Promise<T | undefined> {
    const account = accountKey(username)
    const from = addressKey(address)
    await this.#refuseWhileLocked(account, from)
    const result = await this.deps.hashing.run(check)
    if (result === undefined) {
      await Promise.all([this.deps.perAccount?.fail(account), this.deps.perAddress?.fail(from)])
    } else {
      await this.deps.perAccount?.forget(account)
    }
    return result
  }

  /**
   * The token endpoint's request, throttled when it is a password grant (RFC 6749 §4.3), whose wrong
   * credentials are an `invalid_grant` error; other grants pass straight through.
   */
  async tokenRequest<T>(address: string, params: { grant_type: string; username?: string }, exchange: () => Promise<T>): Promise<T> {
    if (params.grant_type !== 'password') return exchange()
    let refused: OAuthError | undefined
    const result = await this.attempt(address, params.username ?? '', async () => {
      try {
        return await exchange()
      } catch (error) {
        if (!(error instanceof OAuthError && error.error === 'invalid_grant')) throw error
        refused = error
        return undefined
      }
    })
    if (result === undefined) throw refused!
    return result
  }

  async #refuseWhileLocked(account: string, from: string): Promise<void> {
    const [accountWait, addressWait] = await Promise.all([
      this.deps.perAccount?.lockedForShared(account) ?? 0,
      this.deps.perAddress?.lockedForShared(from) ?? 0,
    ])
    const wait = Math.max(accountWait, addressWait)
    if (wait === 0) return
    const which = accountWait >= addressWait ? 'for this username' : 'from your network address'
    const until = describeInstant(this.deps.clock.now() + wait * 1000)
    throw new TooManyAttemptsError(`Too many failed sign-ins ${which}. Try again in ${describeWait(wait)} (after ${until}).`, wait)
  }
}

/** Usernames are hashed before they become store keys, so a Redis dump lists no usernames. */
function accountKey(username: string): string {
  return createHash('sha256').update(username).digest('base64url').slice(0, 22)
}
