import type { App } from '../../apps/app.js'
import type { Db } from '../../store/database.js'
import { issueRefreshToken } from '../refresh-tokens.service.js'
import type { TokenDeps, TokenResponse } from './grant-type.js'

export interface UserGrant {
  id: string
  userId: string
  expiresAt: number
  /** The only workspaces the user let the app reach; null or absent: all of theirs. */
  workspaces?: readonly string[] | null
}

/**
 * An access token under a user's grant (carrying `gid`, so revoking the grant
 * reaches it, and the grant's `workspaces` when it is limited to some), with
 * `refreshToken` when the grant issued one. The response lists the workspaces
 * too, so the app knows which ones the user chose without decoding the token.
 */
export async function userTokenResponse(deps: TokenDeps, client: App, grant: UserGrant, scope: string, refreshToken: string | undefined): Promise<TokenResponse> {
  const workspaces = grant.workspaces ?? null
  const access = await deps.accessTokens.issue({ subject: grant.userId, clientId: client.clientId, scope, grantId: grant.id, workspaces })
  const response: TokenResponse = { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, scope }
  if (refreshToken !== undefined) response.refresh_token = refreshToken
  if (workspaces !== null) response.workspaces = [...workspaces]
  return response
}

/** A grant's stored `workspace_slugs` (a JSON list, or null for all). */
export function grantWorkspaces(stored: string | null): string[] | null {
  return stored === null ? null : (JSON.parse(stored) as string[])
}

/** The first refresh token of a grant, if the app may refresh at all. */
export async function firstRefreshToken(db: Db, deps: TokenDeps, client: App, grant: UserGrant, scope: string): Promise<string | undefined> {
  if (!client.grantTypes.includes('refresh_token')) return undefined
  return issueRefreshToken(db, deps.clock.now(), deps.config.refreshTokenIdleTtlSeconds, {
    grantId: grant.id,
    grantExpiresAt: grant.expiresAt,
    appId: client.id,
    userId: grant.userId,
    scope,
    parentId: null,
  }, deps.secrets)
}
