import type { Credential } from '../domain/credentials.js'
import type { Identity } from './identity.js'

/**
 * One way of proving who calls the API (openauth's provider shape). The gate parses the
 * Authorization header once, asks each authenticator in turn whether it `recognise`s the
 * credential, and lets the first that does `verify` it; nothing else is tried after that.
 *
 * Authenticators recognise disjoint forms, so their order is only a tie-break: access tokens are
 * Bearer JWTs, API tokens will be Bearer (or Basic) secrets with their own prefix, installation
 * JWTs come under their own scheme (`JWT …`).
 */
export interface Authenticator<C extends Credential = Credential> {
  /** How the credential is written, for the refusal when nothing recognises one: `Bearer <access token>`. */
  readonly form: string
  /** By form alone (scheme, prefix, shape): no I/O, no secret checked, cheap enough for every request. */
  recognise(credential: Credential): credential is C
  /**
   * The identity the credential proves. Refuses with an InvalidTokenError, thrown or rejected.
   * Synchronous when it can be (a cache hit), so a warm request never waits on a promise.
   */
  verify(credential: C, request: RequestFacts): Identity | Promise<Identity>
}

/** What of the request an authenticator may bind a credential to (an installation JWT's `qsh` covers method, path and query). */
export interface RequestFacts {
  readonly method: string
  /** Path and query, as received. */
  readonly url: string
}
