import type { App } from '../../apps/app.js'
import { hashSecret, isOpaqueToken } from '../../domain/opaque-token.js'
import { isWellFormedCodeVerifier, verifierMatchesChallenge } from '../../domain/pkce.js'
import { OAuthError } from '../../errors.js'
import type { AuthorizationCodeRow } from '../../store/schema.js'
import { findUserById } from '../../users/users.queries.js'
import { consumeAuthorizationCode, findAuthorizationCodeByHash, findGrant } from '../grants.queries.js'
import { revokeGrant } from '../revoke.service.js'
import { invalidGrant, requiredParam, type TokenDeps, type GrantTypeHandler, type TokenParams } from './grant-type.js'
import { firstRefreshToken, grantWorkspaces, userTokenResponse } from './issue.js'

/** RFC 6749 §4.1.3 with PKCE (RFC 7636) and the code-reuse defence of RFC 9700 §4.5. */
export const authorizationCodeGrant: GrantTypeHandler = async (deps, client, params) => {
  const code = await findCode(deps, client, requiredParam(params, 'code'))
  const now = deps.clock.now()
  if (code.consumed_at !== null) return rejectReuse(deps, code)
  if (code.expires_at <= now) throw invalidGrant('The authorization code expired')
  checkRedirectUri(code, params)
  checkPkce(client, code, params)
  const grant = await findGrant(deps.db, code.grant_id)
  if (!grant || grant.revoked_at !== null || grant.expires_at <= now) throw invalidGrant('The authorization behind this code was revoked')
  const user = await findUserById(deps.db, code.user_id)
  if (!user || user.disabled_at !== null) throw invalidGrant('The user who authorized this code is disabled')

  const userGrant = { id: grant.id, userId: code.user_id, expiresAt: grant.expires_at, workspaces: grantWorkspaces(grant.workspace_slugs) }
  const redeemed = await deps.db.transaction().execute(async (trx) => {
    if (!(await consumeAuthorizationCode(trx, code.id, now))) return undefined
    return { refreshToken: await firstRefreshToken(trx, deps, client, userGrant, code.scope) }
  })
  // Lost the race to a concurrent redemption: the same as a second use.
  if (!redeemed) return rejectReuse(deps, code)
  return userTokenResponse(deps, client, userGrant, code.scope, redeemed.refreshToken)
}

/** The code, if it exists and was issued to this client; the same answer otherwise, so codes cannot be probed. */
async function findCode(deps: TokenDeps, client: App, code: string): Promise<AuthorizationCodeRow> {
  const row = isOpaqueToken(code, 'authorizationCode') ? await findAuthorizationCodeByHash(deps.db, hashSecret(code)) : undefined
  if (!row || row.app_id !== client.id) throw invalidGrant('The authorization code is invalid')
  return row
}

/** A code used twice was probably stolen: whatever the first use issued is revoked (RFC 6749 §4.1.2). */
async function rejectReuse(deps: TokenDeps, code: AuthorizationCodeRow): Promise<never> {
  await revokeGrant(deps, code.grant_id, 'authorization code reused')
  throw invalidGrant('The authorization code was already used; the tokens issued for it are revoked')
}

/** RFC 6749 §4.1.3: required only if the authorization request had it, and always the same string when sent. */
function checkRedirectUri(code: AuthorizationCodeRow, params: TokenParams): void {
  const given = code.redirect_uri_provided === 1 ? requiredParam(params, 'redirect_uri') : params.redirect_uri || undefined
  if (given !== undefined && given !== code.redirect_uri) throw invalidGrant('redirect_uri differs from the one the code was issued for')
}

function checkPkce(client: App, code: AuthorizationCodeRow, params: TokenParams): void {
  const verifier = params.code_verifier
  if (code.code_challenge === null) {
    if (client.isPublic) throw invalidGrant('A public app must use PKCE, but the authorization request had no code_challenge')
    // RFC 9700 §4.8.2: a verifier without a challenge signals a downgrade attempt.
    if (verifier !== undefined) throw invalidGrant('code_verifier was sent, but the authorization request had no code_challenge')
    return
  }
  if (verifier === undefined || verifier === '') throw invalidGrant('code_verifier is required: the authorization request had a code_challenge')
  if (!isWellFormedCodeVerifier(verifier)) {
    throw new OAuthError('invalid_request', 'code_verifier must be 43–128 characters of A–Z, a–z, 0–9, "-", ".", "_" or "~"')
  }
  if (code.code_challenge_method !== 'S256' || !verifierMatchesChallenge(verifier, code.code_challenge)) {
    throw invalidGrant('PKCE verification failed: code_verifier does not match the code_challenge')
  }
}
