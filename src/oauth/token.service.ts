import type { App } from '../apps/app.js'
import type { Config } from '../config.js'
import { OAuthError } from '../errors.js'
import type { Db } from '../store/database.js'
import { authorizationCodeGrant } from './grant-types/authorization-code.js'
import { clientCredentialsGrant } from './grant-types/client-credentials.js'
import type { TokenDeps, GrantTypeHandler, TokenParams, TokenResponse } from './grant-types/grant-type.js'
import { passwordGrant } from './grant-types/password.js'
import { refreshTokenGrant } from './grant-types/refresh-token.js'
import { deleteExpiredAuthorizationCodes, deleteExpiredGrants } from './grants.queries.js'
import { deleteExpiredRefreshTokens } from './refresh-tokens.queries.js'
import { deleteSpentRegistrationTokens } from './register.queries.js'

export type { TokenParams, TokenResponse } from './grant-types/grant-type.js'

const grantTypes = new Map<string, GrantTypeHandler>([
  ['authorization_code', authorizationCodeGrant],
  ['refresh_token', refreshTokenGrant],
  ['client_credentials', clientCredentialsGrant],
  ['password', passwordGrant],
])

/**
 * The grant types this deployment offers. The password grant hands the user's password to the
 * client (RFC 9700 §2.4 says it MUST NOT be used), so it exists only where the operator turns it on.
 */
export function supportedGrantTypes(config: Pick<Config, 'allowPasswordGrant'>): string[] {
  return [...grantTypes.keys()].filter((name) => name !== 'password' || config.allowPasswordGrant)
}

/** The token endpoint's work once the client is known: pick the grant by name, check the app may use it, run it. */
export async function exchange(deps: TokenDeps, client: App, params: TokenParams): Promise<TokenResponse> {
  // Turned off, the password grant is unsupported by the server (RFC 6749 §5.2 unsupported_grant_type),
  // not refused to this client (unauthorized_client): no client can use it, and metadata does not list it.
  const grantType = params.grant_type === 'password' && !deps.config.allowPasswordGrant ? undefined : grantTypes.get(params.grant_type)
  if (!grantType) {
    throw new OAuthError('unsupported_grant_type', `grant_type "${params.grant_type.slice(0, 64)}" is not supported; use one of ${supportedGrantTypes(deps.config).join(', ')}`)
  }
  if (!(client.grantTypes as string[]).includes(params.grant_type)) {
    throw new OAuthError('unauthorized_client', `This app is not allowed the ${params.grant_type} grant`)
  }
  return grantType(deps, client, params)
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
