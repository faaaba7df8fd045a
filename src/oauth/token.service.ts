import type { App } from '../apps/app.js'
import { OAuthError } from '../errors.js'
import type { Db } from '../store/database.js'
import { authorizationCodeGrant } from './grants/authorization-code.js'
import { clientCredentialsGrant } from './grants/client-credentials.js'
import type { GrantDeps, GrantHandler, TokenParams, TokenResponse } from './grants/grant.js'
import { passwordGrant } from './grants/password.js'
import { refreshTokenGrant } from './grants/refresh-token.js'
import { deleteExpiredAuthorizationCodes, deleteExpiredGrants } from './grants.queries.js'
import { deleteExpiredRefreshTokens } from './refresh-tokens.queries.js'
import { deleteSpentRegistrationTokens } from './register.queries.js'

export type { TokenParams, TokenResponse } from './grants/grant.js'

const grants = new Map<string, GrantHandler>([
  ['authorization_code', authorizationCodeGrant],
  ['refresh_token', refreshTokenGrant],
  ['client_credentials', clientCredentialsGrant],
  ['password', passwordGrant],
])

export const supportedGrantTypes = [...grants.keys()]

/** The token endpoint's work once the client is known: pick the grant by name, check the app may use it, run it. */
export async function exchange(deps: GrantDeps, client: App, params: TokenParams): Promise<TokenResponse> {
  const grant = grants.get(params.grant_type)
  if (!grant) {
    throw new OAuthError('unsupported_grant_type', `grant_type "${params.grant_type.slice(0, 64)}" is not supported; use one of ${supportedGrantTypes.join(', ')}`)
  }
  if (!(client.grantTypes as string[]).includes(params.grant_type)) {
    throw new OAuthError('unauthorized_client', `This app is not allowed the ${params.grant_type} grant`)
  }
  return grant(deps, client, params)
}

/** Deletes what can no longer be used: expired codes, refresh tokens and grants, spent registration tokens. */
export async function pruneExpiredCredentials(db: Db, now: number): Promise<{ codes: number; refreshTokens: number; grants: number; registrationTokens: number }> {
  return {
    codes: await deleteExpiredAuthorizationCodes(db, now),
    refreshTokens: await deleteExpiredRefreshTokens(db, now),
    grants: await deleteExpiredGrants(db, now),
    registrationTokens: await deleteSpentRegistrationTokens(db, now),
  }
}
