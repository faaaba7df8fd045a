import { trustedScope, type ScopeSet } from '../domain/scopes.js'
import type { AccessTokenClaims } from '../oauth/access-token.js'

/**
 * Who is calling the API. Each way of proving it is one `kind`, made by one authenticator
 * (authenticator.ts); API tokens and app installations will join as further kinds with their
 * own fields. Every kind holds `scopes`, which the gate checks.
 */
export type Identity = AccessTokenIdentity

/** A user's (or, under client credentials, the app owner's) authority, delegated to an app by an OAuth access token. */
export interface AccessTokenIdentity {
  kind: 'access_token'
  userId: string
  clientId: string
  scopes: ScopeSet
  grantId: string | undefined
  tokenId: string
  /** `iat`: revoking a user or an app revokes its tokens issued up to an instant. */
  issuedAt: number
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the gate on protected routes; null on public ones. */
    identity: Identity | null
  }
}

export function identityFromClaims(claims: AccessTokenClaims): AccessTokenIdentity {
  return {
    kind: 'access_token',
    userId: claims.sub,
    clientId: claims.client_id,
    scopes: trustedScope(typeof claims.scope === 'string' ? claims.scope : undefined),
    grantId: claims.gid,
    tokenId: claims.jti,
    issuedAt: claims.iat,
  }
}
