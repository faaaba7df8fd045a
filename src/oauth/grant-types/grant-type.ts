import type { App } from '../../apps/app.js'
import type { Config } from '../../config.js'
import type { Clock } from '../../domain/clock.js'
import type { SecretFormat } from '../../domain/opaque-token.js'
import { formatScope, resolveScope, type ScopeCatalogue, type ScopeLimits } from '../../domain/scopes.js'
import { OAuthError } from '../../errors.js'
import type { Db } from '../../store/database.js'
import type { AccessTokens } from '../access-token.js'
import type { RevocationList } from '../revocation-list.js'

/** What the grant types need, handed over by the token route: never the server itself, never stored on the request. */
export interface TokenDeps {
  db: Db
  clock: Clock
  config: Config
  accessTokens: AccessTokens
  revocations: RevocationList
  secrets: SecretFormat
  /** The scopes the API defines. */
  catalogue: ScopeCatalogue
}

/** The token request's form parameters (RFC 6749 §4, §6); each grant reads its own. */
export interface TokenParams {
  grant_type: string
  code?: string
  redirect_uri?: string
  code_verifier?: string
  refresh_token?: string
  scope?: string
  username?: string
  password?: string
  client_id?: string
  client_secret?: string
  assertion?: string
}

export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  scope: string
  refresh_token?: string
  /** The only workspaces the token may reach, when the user limited the grant to some. */
  workspaces?: string[]
}

export type GrantTypeHandler = (deps: TokenDeps, client: App, params: TokenParams) => Promise<TokenResponse>

export function invalidGrant(description: string): OAuthError {
  return new OAuthError('invalid_grant', description)
}

export function requiredParam(params: TokenParams, name: 'code' | 'redirect_uri' | 'refresh_token' | 'username' | 'password'): string {
  const value = params[name]
  if (value === undefined || value === '') throw new OAuthError('invalid_request', `The ${params.grant_type} grant needs the "${name}" parameter`)
  return value
}

/** The scope a token request ends up with, by the scope policy (`narrow` in domain/scopes.ts); invalid_scope otherwise. */
export function grantedScope(requested: string | undefined, limits: ScopeLimits): string {
  const resolved = resolveScope(requested, limits)
  if (!resolved.ok) throw new OAuthError('invalid_scope', resolved.error.description)
  return formatScope(resolved.scopes)
}
