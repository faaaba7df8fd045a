import type { AccessTokenClaims } from '../oauth/access-token.js'

/**
 * Who is calling the API. Each way of proving it is one `kind`; API tokens and
 * app installations will join as further kinds with their own fields.
 */
export type Identity = AccessTokenIdentity

/** A user's (or, under client credentials, the app owner's) authority, delegated to an app by an OAuth access token. */
export interface AccessTokenIdentity {
  kind: 'access_token'
  userId: string
  clientId: string
  scopes: ReadonlySet<string>
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
    scopes: new Set(typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : []),
    grantId: claims.gid,
    tokenId: claims.jti,
    issuedAt: claims.iat,
  }
}
