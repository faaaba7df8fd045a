import type { App } from '../../apps/app.js'
import { newId } from '../../domain/ids.js'
import { formatScope } from '../../domain/scopes.js'
import { OAuthError } from '../../errors.js'
import { findUsableClientCredentialsGrant, insertGrant } from '../grants.queries.js'
import { grantedScope, type TokenDeps, type GrantTypeHandler } from './grant-type.js'

/**
 * RFC 6749 §4.4 for confidential apps. The token acts as the app's owner, so
 * the API sees a user as for any other token; there is no refresh token — the
 * app authenticates again instead. Its tokens carry the app's client-credentials
 * grant (`gid`), so they can be revoked as one family: on a secret rotation
 * without grace, which revokes that grant, and on disabling the app.
 */
export const clientCredentialsGrant: GrantTypeHandler = async (deps, client, params) => {
  if (client.isPublic) throw new OAuthError('unauthorized_client', 'A public app cannot use client_credentials')
  const ownerId = client.ownerId
  if (ownerId === null) {
    throw new OAuthError('unauthorized_client', 'This app has no owner, so its client_credentials tokens would act as nobody; give the app an owner first')
  }
  // From the app's look-up (cached with the client's authentication for a few seconds), not another query.
  if (client.ownerDisabled) {
    throw new OAuthError('unauthorized_client', "This app's owner is disabled, so its client_credentials tokens would act for a disabled account")
  }
  const scope = grantedScope(params.scope, { catalogue: deps.catalogue, app: client.scopes, newAuthorizationAt: deps.clock.now() })
  const grantId = await clientCredentialsGrantId(deps, client, ownerId)
  const access = await deps.accessTokens.issue({ subject: ownerId, clientId: client.clientId, scope, grantId })
  return { access_token: access.token, token_type: 'Bearer', expires_in: access.expiresIn, scope }
}

/**
 * One grant per app, reused by every issuance, rather than a grant row per token: issuance is the
 * benchmarked path, and an insert per token would more than double its database work for nothing —
 * revoking "the app's client-credentials tokens" needs one handle, not one per token. A grant
 * serves for GRANT_LIFETIME_MS and is replaced while it still outlives any token issued under it,
 * so the hourly prune never deletes a grant whose tokens are alive.
 */
const GRANT_LIFETIME_MS = 30 * 86_400_000
const ROLLOVER_MARGIN_MS = 5 * 60_000

interface KnownGrant {
  id: string
  expiresAt: number
}

/**
 * Keyed by the App object, which the client authenticator caches per (client, secret) for a few
 * seconds and replaces whenever the app changes: a busy client finds its grant without a query, and a
 * fresh look-up follows every change.
 */
const known = new WeakMap<App, KnownGrant>()
/** Look-ups under way, by app id: concurrent first requests (each with an App object of its own) share one. */
const finding = new Map<string, Promise<KnownGrant>>()

async function clientCredentialsGrantId(deps: TokenDeps, client: App, ownerId: string): Promise<string> {
  const now = deps.clock.now()
  const usableUntil = now + deps.config.accessTokenTtlSeconds * 1000 + ROLLOVER_MARGIN_MS
  const memo = known.get(client)
  // A revocation made in another process reaches this one through the revocation list.
  if (memo && memo.expiresAt > usableUntil && !deps.revocations.isGrantRevoked(memo.id)) return memo.id
  let pending = finding.get(client.id)
  if (!pending) {
    pending = findOrCreateGrant(deps, client, ownerId, now, usableUntil).finally(() => finding.delete(client.id))
    finding.set(client.id, pending)
  }
  const grant = await pending
  known.set(client, grant)
  return grant.id
}

async function findOrCreateGrant(deps: TokenDeps, client: App, ownerId: string, now: number, usableUntil: number): Promise<KnownGrant> {
  const found = await findUsableClientCredentialsGrant(deps.db, client.id, usableUntil)
  if (found && !deps.revocations.isGrantRevoked(found.id)) return { id: found.id, expiresAt: found.expires_at }
  const grant = { id: newId(), expiresAt: now + GRANT_LIFETIME_MS }
  try {
    await insertGrant(deps.db, {
      id: grant.id,
      app_id: client.id,
      user_id: ownerId,
      scope: formatScope(client.scopes),
      kind: 'client_credentials',
      created_at: now,
      expires_at: grant.expiresAt,
      revoked_at: null,
      revoked_reason: null,
    })
  } catch (error) {
    // The owner or the app was deleted a moment ago, after this client authenticated.
    if (isForeignKeyViolation(error)) throw new OAuthError('unauthorized_client', "This app or its owner no longer exists")
    throw error
  }
  return grant
}

function isForeignKeyViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY'
}
