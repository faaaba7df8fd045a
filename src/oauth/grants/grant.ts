import type { FastifyInstance } from 'fastify'
import type { App } from '../../apps/app.js'
import { formatScope, parseScope, scopesOutside } from '../../domain/scopes.js'
import { OAuthError } from '../../errors.js'

/** What a grant needs from the server: passed explicitly, never stored on the request. */
export type GrantDeps = Pick<FastifyInstance, 'db' | 'clock' | 'config' | 'accessTokens' | 'revocations'>

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
}

export interface TokenResponse {
  access_token: string
  token_type: 'Bearer'
  expires_in: number
  scope: string
  refresh_token?: string
}

export type GrantHandler = (deps: GrantDeps, client: App, params: TokenParams) => Promise<TokenResponse>

export function invalidGrant(description: string): OAuthError {
  return new OAuthError('invalid_grant', description)
}

export function requiredParam(params: TokenParams, name: 'code' | 'redirect_uri' | 'refresh_token' | 'username' | 'password'): string {
  const value = params[name]
  if (value === undefined || value === '') throw new OAuthError('invalid_request', `The ${params.grant_type} grant needs the "${name}" parameter`)
  return value
}

/**
 * The scope a request ends up with: what it asked for if that lies within
 * `allowed`, or all of `allowed` when it asked for nothing. Never wider.
 */
export function grantedScope(requested: string | undefined, allowed: readonly string[]): string {
  const scopes = parseScope(requested)
  if (scopes === undefined) throw new OAuthError('invalid_scope', 'The scope parameter is malformed')
  if (scopes.length === 0) return formatScope(allowed)
  const outside = scopesOutside(scopes, allowed)
  if (outside.length > 0) throw new OAuthError('invalid_scope', `Scopes not allowed here: ${outside.join(' ').slice(0, 300)}`)
  return formatScope(scopes)
}
