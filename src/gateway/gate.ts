import type { FastifyRequest, onRequestHookHandler } from 'fastify'
import type { Counter } from 'prom-client'
import type { Clock } from '../domain/clock.js'
import { hasAllScopes } from '../domain/scopes.js'
import { GatehouseError, InsufficientScopeError, InvalidTokenError, MissingTokenError } from '../errors.js'
import type { AccessTokenClaims, AccessTokens } from '../oauth/access-token.js'
import type { RevocationList } from '../oauth/revocation-list.js'
import type { VerifiedTokenCache } from '../oauth/verified-token-cache.js'
import { identityFromClaims, type Identity } from './identity.js'

export type GateOutcome = 'allowed' | 'missing_token' | 'invalid_token' | 'insufficient_scope'

export interface GateOptions {
  accessTokens: Pick<AccessTokens, 'verify'>
  revocations: Pick<RevocationList, 'isRevoked'>
  clock: Clock
  /** Undefined disables caching: every request verifies the signature. */
  cache: VerifiedTokenCache | undefined
  decisions: Counter<'outcome'>
}

const OUTCOME_LABELS: Record<GateOutcome, { outcome: GateOutcome }> = {
  allowed: { outcome: 'allowed' },
  missing_token: { outcome: 'missing_token' },
  invalid_token: { outcome: 'invalid_token' },
  insufficient_scope: { outcome: 'insufficient_scope' },
}

/**
 * Bearer token → identity → scope check, in front of every protected route.
 * Tokens are verified locally (no database); a warm cache skips the signature
 * check but never the revocation list, which is consulted on every request.
 * Disabling a user or an app reaches its tokens through the same list (a cutoff by `iat`).
 */
export class Gate {
  // The identity derived from a cached claims object, so a warm request allocates no scope set.
  readonly #identities = new WeakMap<AccessTokenClaims, Identity>()

  constructor(private readonly options: GateOptions) {}

  /** An onRequest hook admitting only requests whose token holds every scope in `required`. */
  hook(required: readonly string[]): onRequestHookHandler {
    return (request, reply, done) => {
      const authorization = request.headers.authorization
      if (!authorization) return done(this.#missingToken())
      const identity = this.#identify(authorization)
      if (identity instanceof Promise) {
        identity.then(
          (known) => done(this.#admit(request, known, required)),
          (error: Error) => done(this.#refuse(error)),
        )
      } else {
        done(identity instanceof Error ? this.#refuse(identity) : this.#admit(request, identity, required))
      }
    }
  }

  /** The verified identity (at once when cached), or the error that refuses the token. */
  #identify(authorization: string): Identity | InvalidTokenError | Promise<Identity> {
    const token = bearerToken(authorization)
    if (token === undefined) return new InvalidTokenError('The Authorization header must be "Bearer" followed by an access token')
    const { cache, clock, accessTokens } = this.options
    const cached = cache?.get(token, Math.floor(clock.now() / 1000))
    if (cached) return this.#identityOf(cached)
    return accessTokens.verify(token).then((claims) => {
      cache?.set(token, claims)
      return this.#identityOf(claims)
    })
  }

  #identityOf(claims: AccessTokenClaims): Identity {
    let identity = this.#identities.get(claims)
    if (identity === undefined) {
      identity = identityFromClaims(claims)
      this.#identities.set(claims, identity)
    }
    return identity
  }

  /** Undefined when the request may go on; revocation is checked here, on every request. */
  #admit(request: FastifyRequest, identity: Identity, required: readonly string[]): GatehouseError | undefined {
    if (this.options.revocations.isRevoked(identity)) {
      return this.#refuse(new InvalidTokenError('The access token has been revoked'))
    }
    if (!hasAllScopes(identity.scopes, required)) {
      this.#count('insufficient_scope')
      return new InsufficientScopeError(required)
    }
    request.identity = identity
    this.#count('allowed')
    return undefined
  }

  #refuse(error: Error): GatehouseError {
    this.#count('invalid_token')
    return error instanceof GatehouseError ? error : new InvalidTokenError('The access token could not be verified')
  }

  #missingToken(): GatehouseError {
    this.#count('missing_token')
    return new MissingTokenError()
  }

  #count(outcome: GateOutcome): void {
    this.options.decisions.inc(OUTCOME_LABELS[outcome])
  }
}

/** The token of a `Bearer` credential (RFC 6750 §2.1; the scheme is case-insensitive), or undefined. */
function bearerToken(authorization: string): string | undefined {
  if (authorization.length <= 7 || authorization.charCodeAt(6) !== 32) return undefined
  const scheme = authorization.startsWith('Bearer') ? 'Bearer' : authorization.slice(0, 6).toLowerCase()
  if (scheme !== 'Bearer' && scheme !== 'bearer') return undefined
  // Anything else malformed fails verification; no need to scan the token here.
  const token = authorization.slice(7)
  return token === '' ? undefined : token
}
