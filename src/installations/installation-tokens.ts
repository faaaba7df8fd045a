import { newId } from '../domain/ids.js'
import type { TokenDeps, TokenResponse } from '../oauth/grant-types/grant-type.js'
import { insertGrant } from '../oauth/grants.queries.js'
import { issueRefreshToken } from '../oauth/refresh-tokens.service.js'
import type { InstallationWithSecrets } from './installation-directory.js'

/**
 * `installation`: the JWT grant, acting as the installation's app account; `impersonation`: the
 * jwt-bearer grant, acting as a user of the workspace; `embedded`: the request bridge, a token the
 * host page uses for the app's page module, acting as the signed-in user (consent/bridge.service.ts).
 */
export type InstallationGrantKind = 'installation' | 'impersonation' | 'embedded'

export interface InstallationTokenRequest {
  installation: InstallationWithSecrets
  /** Whom the token acts as. */
  userId: string
  /** Already narrowed to what the app may have (`grantedScope`). */
  scope: string
  kind: InstallationGrantKind
  /** With a refresh token: the JWT grant is refreshable, as on the reference platform; impersonation is not (the app signs a new assertion). */
  refreshable: boolean
}

/**
 * A grant of the installation (`installation_id` set, so uninstalling revokes it and everything it
 * issued), its first refresh token when refreshable, and an access token carrying it (`gid`). The
 * token's client_id is the app key, so disabling the app revokes it too.
 */
export async function issueInstallationToken(deps: TokenDeps, request: InstallationTokenRequest): Promise<TokenResponse> {
  const { installation, app, workspaceSlug } = request.installation
  const now = deps.clock.now()
  // A person's token for an installed app reaches the workspace the app is installed in, and no other of theirs.
  const workspaces = request.kind === 'installation' ? null : [workspaceSlug]
  // A refreshable grant lives as long as a refresh-token family may; otherwise as long as its one token.
  const lifetimeSeconds = request.refreshable ? deps.config.refreshTokenAbsoluteTtlSeconds : deps.config.accessTokenTtlSeconds
  const grant = { id: newId(), expiresAt: now + lifetimeSeconds * 1000 }
  const refreshToken = await deps.db.transaction().execute(async (trx) => {
    await insertGrant(trx, {
      id: grant.id,
      app_id: app.id,
      user_id: request.userId,
      scope: request.scope,
      kind: request.kind,
      created_at: now,
      expires_at: grant.expiresAt,
      revoked_at: null,
      revoked_reason: null,
      installation_id: installation.id,
      workspace_slugs: workspaces === null ? null : JSON.stringify(workspaces),
    })
    if (!request.refreshable) return undefined
    const input = { grantId: grant.id, grantExpiresAt: grant.expiresAt, appId: app.id, userId: request.userId, scope: request.scope, parentId: null }
    return issueRefreshToken(trx, now, deps.config.refreshTokenIdleTtlSeconds, input, deps.secrets)
  })
  const access = await deps.accessTokens.issue({ subject: request.userId, clientId: app.key, scope: request.scope, grantId: grant.id, workspaces })
  return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, scope: request.scope, ...(refreshToken ? { refresh_token: refreshToken } : {}), ...(workspaces ? { workspaces } : {}) }
}
