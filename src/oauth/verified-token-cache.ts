import { hash } from 'node:crypto'
import { BoundedCache } from '../domain/bounded-cache.js'
import type { AccessTokenClaims } from './access-token.js'

/**
 * Access tokens whose signature and claims were already verified, so a token
 * presented again skips the ES256 check (~120 µs). Keyed by the token's SHA-256,
 * so the cache holds no usable bearer tokens. An entry lasts until the token's
 * `exp`; revocation is not cached — callers check the revocation list every time.
 */
export class VerifiedTokenCache {
  readonly #entries: BoundedCache<AccessTokenClaims>

  constructor(maxEntries: number) {
    this.#entries = new BoundedCache(maxEntries)
  }

  get(token: string, nowSeconds: number): AccessTokenClaims | undefined {
    return this.#entries.get(keyOf(token), nowSeconds)
  }

  set(token: string, claims: AccessTokenClaims): void {
    this.#entries.set(keyOf(token), claims, claims.exp)
  }
}

function keyOf(token: string): string {
  return hash('sha256', token, 'base64')
}
