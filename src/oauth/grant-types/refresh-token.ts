import { classifyRefreshTokenUse } from '../../domain/refresh-policy.js'
import { trustedScope } from '../../domain/scopes.js'
import { findRefreshToken, rotateRefreshToken, type RefreshTokenRecord } from '../refresh-tokens.service.js'
import { revokeGrant } from '../revoke.service.js'
import { grantedScope, invalidGrant, requiredParam, type TokenDeps, type GrantTypeHandler } from './grant-type.js'
import { grantWorkspaces, userTokenResponse } from './issue.js'

/**
 * RFC 6749 §6 with rotation on every use and reuse detection (RFC 9700 §4.14.2):
 * a used refresh token coming back revokes its whole family, unless it comes
 * back within `refreshTokenReuseGraceSeconds` of its first use — then it gets
 * a new access token and the same successor its first use got.
 */
export const refreshTokenGrant: GrantTypeHandler = async (deps, client, params) => {
  const presented = requiredParam(params, 'refresh_token')
  const record = await findRefreshToken(deps.db, presented)
  if (!record || record.app_id !== client.id) throw invalidGrant('The refresh token is invalid')
  if (record.revoked_at !== null || record.grant_revoked_at !== null) throw invalidGrant('The refresh token was revoked')
  const now = deps.clock.now()
  const use = classifyRefreshTokenUse(record.used_at, now, deps.config.refreshTokenReuseGraceSeconds)
  if (use === 'replay') return rejectReplay(deps, record)
  if (record.expires_at <= now || record.grant_expires_at <= now) throw invalidGrant('The refresh token expired')
  if (record.user_disabled_at !== null) throw invalidGrant('The user of this refresh token is disabled')
  // A narrower scope applies to this access token only; the family keeps its scope (RFC 6749 §6).
  const scope = grantedScope(params.scope, { catalogue: deps.catalogue, app: client.scopes, grant: trustedScope(record.scope) })

  const rotation = await rotateRefreshToken(deps.db, now, {
    idleTtlSeconds: deps.config.refreshTokenIdleTtlSeconds,
    reuseGraceSeconds: deps.config.refreshTokenReuseGraceSeconds,
    secrets: deps.secrets,
  }, client, record, presented, use)
  if (rotation.outcome === 'replay') return rejectReplay(deps, record)
  const grant = { id: record.grant_id, userId: record.user_id, expiresAt: record.grant_expires_at, workspaces: grantWorkspaces(record.grant_workspace_slugs) }
  return userTokenResponse(deps, client, grant, scope, rotation.refreshToken)
}

async function rejectReplay(deps: TokenDeps, record: RefreshTokenRecord): Promise<never> {
  await revokeGrant(deps, record.grant_id, 'refresh token reused')
  throw invalidGrant('The refresh token was already used; its family of tokens is revoked')
}
