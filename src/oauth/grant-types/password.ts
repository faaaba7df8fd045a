import { newId } from '../../domain/ids.js'
import { authenticateUser } from '../../users/users.service.js'
import { insertGrant } from '../grants.queries.js'
import { grantedScope, invalidGrant, requiredParam, type GrantTypeHandler } from './grant-type.js'
import { firstRefreshToken, userTokenResponse } from './issue.js'

/**
 * RFC 6749 §4.3, only where the deployment turns it on (GATEHOUSE_ALLOW_PASSWORD_GRANT; the token
 * service refuses it otherwise) and for the apps explicitly allowed it (first-party tools and
 * migrations); each successful call starts a new grant, as a consent would.
 */
export const passwordGrant: GrantTypeHandler = async (deps, client, params) => {
  const username = requiredParam(params, 'username')
  const password = requiredParam(params, 'password')
  const scope = grantedScope(params.scope, { catalogue: deps.catalogue, app: client.scopes, newAuthorizationAt: deps.clock.now() })
  const user = await authenticateUser(deps.db, username, password)
  if (!user) throw invalidGrant('The username or password is wrong')

  const now = deps.clock.now()
  const grant = { id: newId(), userId: user.id, expiresAt: now + deps.config.refreshTokenAbsoluteTtlSeconds * 1000 }
  const refreshToken = await deps.db.transaction().execute(async (trx) => {
    await insertGrant(trx, {
      id: grant.id,
      app_id: client.id,
      user_id: user.id,
      scope,
      kind: 'password',
      created_at: now,
      expires_at: grant.expiresAt,
      revoked_at: null,
      revoked_reason: null,
    })
    return firstRefreshToken(trx, deps, client, grant, scope)
  })
  return userTokenResponse(deps, client, grant, scope, refreshToken)
}
