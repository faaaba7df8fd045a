import type { App } from '../apps/app.js'
import type { Config } from '../config.js'
import type { Clock } from '../domain/clock.js'
import type { Db } from '../store/database.js'
import type { AccessTokens } from './access-token.js'
import { revokeGrantRows } from './grants.queries.js'
import { findRefreshToken } from './refresh-tokens.service.js'
import { revocableToken, type RevocationList } from './revocation-list.js'

/** What revocation needs, handed over by its route. */
export interface RevocationDeps {
  db: Db
  clock: Clock
  config: Config
  revocations: RevocationList
}

// Another host whose clock runs a little behind still accepts a token briefly after its exp; outlast that.
const CLOCK_SKEW_MS = 60_000

/**
 * Ends a grant: the grant itself, every refresh token of its family, and —
 * through the revocation list — every access token issued under it. Access
 * tokens are not stored, but none outlives one lifetime from now.
 */
export async function revokeGrant(deps: RevocationDeps, grantId: string, reason: string): Promise<void> {
  const now = deps.clock.now()
  // One transaction: a grant marked revoked always has its revocation entry, or a later call
  // would find it "already revoked" and never list its access tokens.
  const announce = await deps.db.transaction().execute(async (trx) => {
    // Already revoked means already listed; replays of a dead code or token must not pile up entries.
    if (!(await revokeGrantRows(trx, grantId, now, reason))) return undefined
    return deps.revocations.record(trx, 'grant', grantId, now + deps.config.accessTokenTtlSeconds * 1000 + CLOCK_SKEW_MS)
  })
  announce?.()
}

/**
 * RFC 7009: revokes `token` if it is one of `client`'s. A refresh token takes
 * its whole family with it (RFC 7009 §2.1 allows it; a user signing out of an
 * app expects nothing of it to keep working); an access token alone is listed
 * by `jti`. Anything else — unknown, expired, another app's — is silently
 * ignored: the answer is the same, so it reveals nothing.
 */
export async function revokeToken(deps: RevocationDeps & { accessTokens: AccessTokens }, client: App, token: string): Promise<void> {
  const refresh = await findRefreshToken(deps.db, token)
  if (refresh) {
    if (refresh.app_id === client.id && refresh.grant_revoked_at === null) await revokeGrant(deps, refresh.grant_id, 'revoked by the app')
    return
  }
  const claims = await deps.accessTokens.verify(token).catch(() => undefined)
  if (claims && claims.client_id === client.clientId && !deps.revocations.isRevoked(revocableToken(claims))) {
    await deps.revocations.revoke('jti', claims.jti, claims.exp * 1000 + CLOCK_SKEW_MS)
  }
}
