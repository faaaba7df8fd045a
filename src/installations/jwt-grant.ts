import { findAppByClientId } from '../apps/apps.queries.js'
import { parseAuthorization } from '../domain/credentials.js'
import { hashSecret } from '../domain/opaque-token.js'
import { OAuthError } from '../errors.js'
import { grantedScope, invalidGrant, requiredParam, type TokenDeps, type TokenResponse } from '../oauth/grant-types/grant-type.js'
import { refreshTokenGrant } from '../oauth/grant-types/refresh-token.js'
import type { TokenExtension, TokenRequestFacts } from '../oauth/index.js'
import { AppJwtRefusal } from './app-jwt.js'
import { isAppJwtCredential } from './app-jwt.authenticator.js'
import type { AppJwtVerifier, VerifiedAppJwt } from './app-jwt.verifier.js'
import { findInstallationOfRefreshToken } from './installation-directory.queries.js'
import { issueInstallationToken } from './installation-tokens.js'

/** Bitbucket Connect's grant type: an app JWT in, an access token acting as the installation out. */
export const JWT_GRANT_TYPE = 'urn:bitbucket:oauth2:jwt'

/**
 * `POST /oauth/token` with `Authorization: JWT …` (the app JWT, its `qsh` over `POST /oauth/token`,
 * with or without the form parameters) and `grant_type=urn:bitbucket:oauth2:jwt`: an access token
 * and a refresh token acting as the installation's app account, within the app's scopes or the
 * narrower `scope` asked for. The refresh token is refreshed with `grant_type=refresh_token` and
 * the app JWT again, as the reference platform does: the backing app has no client secret, the app
 * JWT is its client authentication.
 */
export class JwtGrant implements TokenExtension {
  readonly grantTypes = [JWT_GRANT_TYPE]

  constructor(private readonly verifier: AppJwtVerifier) {}

  claims(request: TokenRequestFacts): boolean {
    if (request.params.grant_type === JWT_GRANT_TYPE) return true
    return request.params.grant_type === 'refresh_token' && isAppJwtCredential(parseAuthorization(request.authorization))
  }

  async exchange(request: TokenRequestFacts, deps: TokenDeps): Promise<TokenResponse> {
    const verified = await this.#authenticate(request)
    return request.params.grant_type === JWT_GRANT_TYPE ? installationToken(deps, verified, request) : refresh(deps, verified, request)
  }

  /** The app JWT is the client authentication here: its refusals are invalid_client (401), each naming what failed. */
  async #authenticate(request: TokenRequestFacts): Promise<VerifiedAppJwt> {
    const credential = parseAuthorization(request.authorization)
    if (!isAppJwtCredential(credential)) {
      throw new OAuthError('invalid_client', `The ${JWT_GRANT_TYPE} grant authenticates with the app JWT: send "Authorization: JWT <token>"`, 401, CHALLENGE)
    }
    try {
      return await this.verifier.verify(credential.value, { method: request.method, url: request.url, formParameters: { ...request.params } }, { fresh: true })
    } catch (error) {
      throw error instanceof AppJwtRefusal ? new OAuthError('invalid_client', error.message, 401, CHALLENGE) : error
    }
  }
}

const CHALLENGE = { 'www-authenticate': 'JWT realm="gatehouse"' }

async function installationToken(deps: TokenDeps, verified: VerifiedAppJwt, request: TokenRequestFacts): Promise<TokenResponse> {
  const { installation, app } = verified.installation
  if (installation.appUserId === null) throw new OAuthError('unauthorized_client', `The installation of "${app.key}" has no app account to act as; reinstall the app`)
  const scope = grantedScope(request.params.scope, { catalogue: deps.catalogue, app: app.scopes, newAuthorizationAt: deps.clock.now() })
  return issueInstallationToken(deps, { installation: verified.installation, userId: installation.appUserId, scope, kind: 'installation', refreshable: true })
}

/** The ordinary refresh (rotation, reuse detection), for a refresh token this installation's JWT grant issued. */
async function refresh(deps: TokenDeps, verified: VerifiedAppJwt, request: TokenRequestFacts): Promise<TokenResponse> {
  const presented = requiredParam(request.params, 'refresh_token')
  const installationId = await findInstallationOfRefreshToken(deps.db, hashSecret(presented))
  if (installationId !== verified.installation.installation.id) throw invalidGrant('The refresh token was not issued to this installation')
  const client = await findAppByClientId(deps.db, verified.installation.app.key)
  if (!client) throw new OAuthError('invalid_client', 'The app of this installation no longer exists', 401, CHALLENGE)
  return refreshTokenGrant(deps, client, request.params)
}
