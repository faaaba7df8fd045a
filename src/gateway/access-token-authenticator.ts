import type { BearerCredential, Credential } from '../domain/credentials.js'
import type { Clock } from '../domain/clock.js'
import type { AccessTokenClaims, AccessTokens } from '../oauth/access-token.js'
import type { VerifiedTokenCache } from '../oauth/verified-token-cache.js'
import type { Authenticator } from './authenticator.js'
import { identityFromClaims, type AccessTokenIdentity } from './identity.js'

export interface AccessTokenAuthenticatorDeps {
  accessTokens: Pick<AccessTokens, 'verify'>
  clock: Clock
  /** Undefined disables caching: every request verifies the signature. */
  cache: VerifiedTokenCache | undefined
}

/**
 * Gatehouse's own access tokens: `Bearer` + an RFC 9068 JWT, verified locally against the signing
 * keys (no database). A warm cache skips the signature check; revocation is the gate's business,
 * checked on every request whatever the cache says.
 */
export class AccessTokenAuthenticator implements Authenticator<BearerCredential> {
  readonly form = 'Bearer <access token>'
  // The identity derived from a cached claims object, so a warm request allocates no scope set.
  readonly #identities = new WeakMap<AccessTokenClaims, AccessTokenIdentity>()

  constructor(private readonly deps: AccessTokenAuthenticatorDeps) {}

  /**
   * A Bearer token in JWS compact form (RFC 7515 §7.1): header.payload.signature, the first two
   * non-empty. An empty signature (an unsecured JWT) is still this form, and is refused by `verify`
   * for its algorithm. API tokens, which have no dots, are left to their own authenticator.
   */
  recognise(credential: Credential): credential is BearerCredential {
    if (credential.kind !== 'bearer') return false
    const token = credential.token
    const first = token.indexOf('.')
    const second = first > 0 ? token.indexOf('.', first + 1) : -1
    return second > first + 1 && token.indexOf('.', second + 1) === -1
  }

  verify(credential: BearerCredential): AccessTokenIdentity | Promise<AccessTokenIdentity> {
    const { cache, clock, accessTokens } = this.deps
    const token = credential.token
    const cached = cache?.get(token, Math.floor(clock.now() / 1000))
    if (cached) return this.#identityOf(cached)
    return accessTokens.verify(token).then((claims) => {
      cache?.set(token, claims)
      return this.#identityOf(claims)
    })
  }

  #identityOf(claims: AccessTokenClaims): AccessTokenIdentity {
    let identity = this.#identities.get(claims)
    if (identity === undefined) {
      identity = identityFromClaims(claims)
      this.#identities.set(claims, identity)
    }
    return identity
  }
}
