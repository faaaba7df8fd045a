import type { TokenDeps, TokenParams, TokenResponse } from './grant-types/grant-type.js'

/** What a token request brings that a grant outside client authentication may need (a JWT's `qsh` covers method and URL). */
export interface TokenRequestFacts {
  params: TokenParams
  /** The raw `Authorization` header, if any. */
  authorization: string | undefined
  method: string
  /** Path and query, as received. */
  url: string
}

/**
 * A way of asking for a token that does not start with OAuth client authentication: installed apps
 * authenticate with an app JWT (`Authorization: JWT …`) or carry a signed assertion (jwt-bearer).
 * The token endpoint asks each extension, in order, whether it `claims` a request; the first that
 * does answers it with the endpoint's own deps, so tokens, refresh tokens and grants are the same
 * as every other grant's.
 */
export interface TokenExtension {
  /** Grant types to list in the server metadata. */
  readonly grantTypes: readonly string[]
  /** By form alone: no I/O. */
  claims(request: TokenRequestFacts): boolean
  exchange(request: TokenRequestFacts, deps: TokenDeps): Promise<TokenResponse>
}

/** Made by `buildServer` and handed to the OAuth endpoints and to whoever extends them. */
export class TokenExtensions {
  readonly #extensions: TokenExtension[] = []

  add(extension: TokenExtension): void {
    this.#extensions.push(extension)
  }

  claiming(request: TokenRequestFacts): TokenExtension | undefined {
    return this.#extensions.find((e) => e.claims(request))
  }

  get grantTypes(): string[] {
    return this.#extensions.flatMap((e) => e.grantTypes)
  }
}
