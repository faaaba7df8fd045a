import { OAuthError } from '../../errors.js'
import { grantedScope, type GrantHandler } from './grant.js'

/**
 * RFC 6749 §4.4 for confidential apps. The token acts as the app's owner, so
 * the API sees a user as for any other token; there is no grant and no refresh
 * token — the app authenticates again instead.
 */
export const clientCredentialsGrant: GrantHandler = async (deps, client, params) => {
  if (client.isPublic) throw new OAuthError('unauthorized_client', 'A public app cannot use client_credentials')
  if (client.ownerId === null) {
    throw new OAuthError('unauthorized_client', 'This app has no owner, so its client_credentials tokens would act as nobody; give the app an owner first')
  }
  // From the app's look-up (cached with the client's authentication for a few seconds), not another query.
  if (client.ownerDisabled) {
    throw new OAuthError('unauthorized_client', "This app's owner is disabled, so its client_credentials tokens would act for a disabled account")
  }
  const scope = grantedScope(params.scope, client.scopes)
  const access = await deps.accessTokens.issue({ subject: client.ownerId, clientId: client.clientId, scope })
  return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, scope }
}
