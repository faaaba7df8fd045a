import { AppValidationError, createApp } from '../apps/apps.service.js'
import { parseAuthorization } from '../domain/credentials.js'
import type { Clock } from '../domain/clock.js'
import type { SecretFormat } from '../domain/opaque-token.js'
import { formatScope, parseScope, type ScopeCatalogue } from '../domain/scopes.js'
import { OAuthError } from '../errors.js'
import type { Db } from '../store/database.js'
import type { ClientMetadata, RegistrationResponse } from './register.schemas.js'
import { isUsableRegistrationToken, spendRegistrationToken } from './registration-tokens.js'
import type { RevocationList } from './revocation-list.js'

/** What registration needs, handed over by its route. */
export interface RegistrationDeps {
  db: Db
  clock: Clock
  catalogue: ScopeCatalogue
  secrets: SecretFormat
  revocations: RevocationList
}

/**
 * Grants a dynamically registered app may ask for. client_credentials needs an
 * owner to act as and password must be granted deliberately, so both are for
 * apps an administrator creates.
 */
const DYNAMIC_GRANT_TYPES = ['authorization_code', 'refresh_token']
const DEFAULT_NAME = 'Unnamed app'

export function invalidInitialAccessToken(description: string): OAuthError {
  return new OAuthError('invalid_token', description, 401, { 'www-authenticate': 'Bearer realm="gatehouse", error="invalid_token"' })
}

/** The initial access token of `Authorization: Bearer …`, checked before anything else is looked at. */
export async function checkInitialAccessToken(deps: RegistrationDeps, authorization: string | undefined): Promise<string> {
  const credential = parseAuthorization(authorization)
  if (credential.kind !== 'bearer') throw invalidInitialAccessToken('Registration needs an initial access token: Authorization: Bearer <token>')
  const token = credential.token
  if (!(await isUsableRegistrationToken(deps.db, token, deps.clock.now()))) {
    throw invalidInitialAccessToken('The initial access token is unknown, expired or used up')
  }
  return token
}

/**
 * RFC 7591 §3: spends one use of the initial access token and creates the app,
 * in one transaction — metadata that fails validation gives the use back. Every
 * process hears of the new app (its redirect-URI origins join the CORS origins).
 */
export async function registerClient(deps: RegistrationDeps, initialAccessToken: string, metadata: ClientMetadata): Promise<RegistrationResponse> {
  const input = toAppInput(metadata)
  const { app, clientSecret, announce } = await deps.db.transaction().execute(async (trx) => {
    if (!(await spendRegistrationToken(trx, initialAccessToken, deps.clock.now()))) {
      throw invalidInitialAccessToken('The initial access token is unknown, expired or used up')
    }
    const created = await createApp(trx, deps.clock, deps.catalogue, input, deps.secrets).catch(toRegistrationError)
    return { ...created, announce: await deps.revocations.recordAppChanged(trx, created.app.clientId) }
  })
  announce()
  return {
    client_id: app.clientId,
    ...(clientSecret ? { client_secret: clientSecret, client_secret_expires_at: 0 } : {}),
    client_id_issued_at: Math.floor(app.createdAt / 1000),
    client_name: app.name,
    redirect_uris: app.redirectUris,
    grant_types: app.grantTypes,
    response_types: app.grantTypes.includes('authorization_code') ? ['code'] : [],
    token_endpoint_auth_method: app.tokenEndpointAuthMethod,
    scope: formatScope(app.scopes),
  }
}

function toAppInput(metadata: ClientMetadata) {
  const grantTypes = metadata.grant_types ?? DYNAMIC_GRANT_TYPES
  const refused = grantTypes.filter((g) => !DYNAMIC_GRANT_TYPES.includes(g))
  if (refused.length > 0) {
    throw new OAuthError('invalid_client_metadata', `grant_types may hold only ${DYNAMIC_GRANT_TYPES.join(', ')} here, not ${refused.join(', ').slice(0, 200)}`)
  }
  const responseTypes = metadata.response_types ?? (grantTypes.includes('authorization_code') ? ['code'] : [])
  if (responseTypes.some((r) => r !== 'code')) throw new OAuthError('invalid_client_metadata', 'response_types may hold only "code"')
  // RFC 7591 §2.1: the code response type and the authorization_code grant go together.
  if (responseTypes.includes('code') !== grantTypes.includes('authorization_code')) {
    throw new OAuthError('invalid_client_metadata', 'response_types ["code"] and grant_types "authorization_code" must be registered together')
  }
  const scope = parseScope(metadata.scope)
  if (!scope.ok) throw new OAuthError('invalid_client_metadata', scope.error.description)
  const scopes = [...scope.scopes]
  return {
    name: metadata.client_name?.trim() || DEFAULT_NAME,
    redirectUris: metadata.redirect_uris ?? [],
    grantTypes,
    // Least privilege: RFC 7591 §2 lets the server pick a default, and ours is none. An app that
    // names no scope at registration can ask for none later; it registers again, naming them.
    scopes,
    tokenEndpointAuthMethod: metadata.token_endpoint_auth_method ?? 'client_secret_basic',
    createdVia: 'dynamic' as const,
  }
}

function toRegistrationError(error: unknown): never {
  if (error instanceof AppValidationError) {
    throw new OAuthError(error.field === 'redirect_uris' ? 'invalid_redirect_uri' : 'invalid_client_metadata', error.message)
  }
  throw error
}
