import type { App } from '../../apps/app.js'
import type { Db } from '../../store/database.js'
import { issueRefreshToken } from '../refresh-tokens.service.js'
import type { TokenDeps, TokenResponse } from './grant-type.js'

export interface UserGrant {
  id: string
  userId: string
  expiresAt: number
}

/**
 * An access token under a user's grant (carrying `gid`, so revoking the grant
 * reaches it), with `refreshToken` when the grant issued one.
 */
export async function userTokenResponse(deps: TokenDeps, client: App, grant: UserGrant, scope: string, refreshToken: string | undefined): Promise<TokenResponse> {
  const access = await deps.accessTokens.issue({ subject: grant.userId, clientId: client.clientId, scope, grantId: grant.id })
  const response: TokenResponse = { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, scope }
  if (refreshToken !== undefined) response.refresh_token = refreshToken
  return response
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
