import type { App } from '../apps/app.js'
import type { Config } from '../config.js'
import { BoundedCache } from '../domain/bounded-cache.js'
import type { Clock } from '../domain/clock.js'
import type { Db } from '../store/database.js'
import { findUserById } from '../users/users.queries.js'
import type { AccessTokenClaims, AccessTokens } from './access-token.js'
import { findRefreshToken, isRefreshTokenActive } from './refresh-tokens.service.js'
import { revocableToken, type RevocationList } from './revocation-list.js'
import { VerifiedTokenCache } from './verified-token-cache.js'

/** What introspection needs, handed over by its route. */
export interface IntrospectionDeps {
  db: Db
  clock: Clock
  config: Config
  accessTokens: AccessTokens
  revocations: RevocationList
}

export type IntrospectionResponse =
  | { active: false }
  | {
      active: true
      scope: string
      client_id: string
      username?: string
      sub: string
      /** Only for access tokens: a refresh token is not a token type (RFC 6749 §7.1). */
      token_type?: 'Bearer'
      exp: number
      iat: number
      iss: string
      aud?: string
      jti?: string
    }

const INACTIVE = { active: false } as const
const VERIFIED_TOKENS = 10_000
const USERNAMES = 10_000
const USERNAME_TTL_MS = 60_000

/**
 * RFC 7662 introspection. An app may introspect only tokens issued to itself:
 * anything else is `{ active: false }`, so one app cannot learn about another's
 * users or tokens. A resource server (an app an operator marked so) may
 * introspect any access token, which is what RFC 7662 §1 has introspection for;
 * refresh tokens stay their own app's business, as they are never presented to
 * a resource server. Access tokens are checked by signature (cached once
 * verified) and against the revocation list on every call; refresh tokens by
 * their stored record.
 */
export class Introspector {
  readonly #verified = new VerifiedTokenCache(VERIFIED_TOKENS)
  // Usernames never change, so a short cache only bounds memory; it keeps the common case off the database.
  readonly #usernames = new BoundedCache<string>(USERNAMES)

  constructor(private readonly deps: IntrospectionDeps) {}

  async introspect(client: App, token: string): Promise<IntrospectionResponse> {
    const refresh = await findRefreshToken(this.deps.db, token)
    if (refresh) {
      const now = this.deps.clock.now()
      if (refresh.app_id !== client.id || !isRefreshTokenActive(refresh, now)) return INACTIVE
      return {
        active: true,
        scope: refresh.scope,
        client_id: client.clientId,
        username: refresh.username,
        sub: refresh.user_id,
        exp: Math.floor(refresh.expires_at / 1000),
        iat: Math.floor(refresh.created_at / 1000),
        iss: this.deps.config.issuer,
      }
    }
    const claims = await this.verifiedClaims(token)
    if (!claims || (claims.client_id !== client.clientId && !client.isResourceServer)) return INACTIVE
    if (this.deps.revocations.isRevoked(revocableToken(claims))) return INACTIVE
    const username = await this.username(claims.sub)
    return {
      active: true,
      scope: claims.scope,
      client_id: claims.client_id,
      ...(username === undefined ? {} : { username }),
      sub: claims.sub,
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      iss: claims.iss,
      aud: claims.aud,
      jti: claims.jti,
    }
  }

  private async verifiedClaims(token: string): Promise<AccessTokenClaims | undefined> {
    const cached = this.#verified.get(token, Math.floor(this.deps.clock.now() / 1000))
    if (cached) return cached
    // Not a compact JWS: skip the parse and the signature check.
    if (token.split('.').length !== 3) return undefined
    const claims = await this.deps.accessTokens.verify(token).catch(() => undefined)
    if (claims) this.#verified.set(token, claims)
    return claims
  }

  private async username(userId: string): Promise<string | undefined> {
    const now = this.deps.clock.now()
    const cached = this.#usernames.get(userId, now)
    if (cached !== undefined) return cached
    const user = await findUserById(this.deps.db, userId)
    if (user) this.#usernames.set(userId, user.username, now + USERNAME_TTL_MS)
    return user?.username
  }
}
