import { trustedScope, type ScopeSet } from '../domain/scopes.js'
import type { AccessTokenClaims } from '../oauth/access-token.js'

/**
 * Who is calling the API. Each way of proving it is one `kind`, made by one authenticator
 * (authenticator.ts); API tokens and app installations will join as further kinds with their
 * own fields. Every kind holds `scopes`, which the gate checks.
 */
export type Identity = AccessTokenIdentity | InstallationIdentity

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
  /** The only workspaces (slugs) the user let the app reach; undefined: all of theirs. */
  workspaces: readonly string[] | undefined
}

/**
 * An installed app calling as its installation, with an app JWT (`Authorization: JWT …`, HS256 under
 * the installation's shared secret). It acts as the installation's app account (`userId`), a member
 * of the one workspace it is installed in, within the app's scopes.
 */
export interface InstallationIdentity {
  kind: 'installation'
  /** The installation's app account: what the platform API sees as the caller. */
  userId: string
  /** The backing app's client_id (the descriptor key): disabling the app revokes through it. */
  clientId: string
  scopes: ScopeSet
  grantId: undefined
  /** The app JWT's `jti`, or a digest of it when it has none. */
  tokenId: string
  issuedAt: number
  installationId: string
  clientKey: string
  workspaceId: string
  /** An installation is bound to its workspace by `workspaceId`, never by a list of slugs. */
  workspaces?: undefined
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
    workspaces: workspacesClaim(claims.workspaces),
  }
}

/** The `workspaces` claim: absent, not limited; a claim that is not a list of slugs reaches no workspace rather than all. */
function workspacesClaim(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined
  return Array.isArray(value) ? value.filter((slug): slug is string => typeof slug === 'string') : []
}
