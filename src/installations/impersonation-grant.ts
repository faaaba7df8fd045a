import { decodeJwt, type JWTPayload } from 'jose'
import type { Clock } from '../domain/clock.js'
import { ACT_AS_USER } from '../domain/descriptor.js'
import { OAuthError } from '../errors.js'
import { grantedScope, invalidGrant, type TokenDeps, type TokenResponse } from '../oauth/grant-types/grant-type.js'
import type { TokenExtension, TokenRequestFacts } from '../oauth/index.js'
import { AppJwtRefusal, CLOCK_SKEW_SECONDS, iso } from './app-jwt.js'
import { impersonationConsent } from './impersonation-consent.js'
import { findUserInWorkspace } from './impersonation.queries.js'
import type { InstallationDirectory, InstallationWithSecrets } from './installation-directory.js'
import { issueInstallationToken } from './installation-tokens.js'
import { installationForOauthClientId } from './oauth-client-id.js'
import { BAD_SIGNATURE, verifyWithSharedSecrets } from './shared-secret-jwt.js'
import { admitStaleOauthClientId } from './stale-oauth-client-id.js'

/** RFC 7523 §2.1. */
export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
export const ISSUER_PREFIX = 'urn:gatehouse:clientid:'
export const SUBJECT_PREFIX = 'urn:gatehouse:useraccountid:'
/** An assertion is for one exchange, made just before it. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 60

export interface ImpersonationGrantDeps {
  directory: InstallationDirectory
  clock: Clock
  /** Gatehouse's public URL: the assertion's `tnt`, and `${issuer}/oauth/token` its `aud`. */
  issuer: string
}

/**
 * User impersonation: an app whose descriptor asks for act_as_user signs an assertion with its
 * installation's shared secret (`iss` its oauthClientId, `sub` the user, `tnt` this platform, `aud`
 * the token endpoint, `exp` within a minute) and gets an access token acting as that user, who
 * must be a person in the installation's workspace. The token is within the app's scopes (or the
 * narrower `scope` asked for) and, since the API checks the user's own membership and role, within
 * the user's own rights. Every refusal is invalid_grant naming what failed, except an app without
 * act_as_user (unauthorized_client).
 */
export class ImpersonationGrant implements TokenExtension {
  readonly grantTypes = [JWT_BEARER_GRANT_TYPE]

  constructor(private readonly deps: ImpersonationGrantDeps) {}

  claims(request: TokenRequestFacts): boolean {
    return request.params.grant_type === JWT_BEARER_GRANT_TYPE
  }

  async exchange(request: TokenRequestFacts, tokenDeps: TokenDeps): Promise<TokenResponse> {
    const assertion = request.params.assertion
    if (assertion === undefined || assertion === '') throw new OAuthError('invalid_request', `The ${JWT_BEARER_GRANT_TYPE} grant needs the "assertion" parameter`)
    const oauthClientId = prefixed(decodeAssertion(assertion).iss, ISSUER_PREFIX, 'iss', 'urn:gatehouse:clientid:<oauthClientId>')
    const { installation, staleOauthClientId } = await installationForOauthClientId(this.deps.directory, oauthClientId)
    const claims = await this.#verify(assertion, installation)
    checkMayImpersonate(installation)
    if (staleOauthClientId !== undefined) {
      await admitStaleOauthClientId(tokenDeps, { staleOauthClientId, current: installation, grantType: JWT_BEARER_GRANT_TYPE })
    }
    const userId = await personInWorkspace(tokenDeps, prefixed(claims.sub, SUBJECT_PREFIX, 'sub', 'urn:gatehouse:useraccountid:<user id>'), installation)
    const scope = grantedScope(request.params.scope, { catalogue: tokenDeps.catalogue, app: installation.app.scopes, newAuthorizationAt: tokenDeps.clock.now() })
    const consent = await impersonationConsent({ db: tokenDeps.db, clock: tokenDeps.clock, issuer: tokenDeps.config.issuer, catalogue: tokenDeps.catalogue }, { appId: installation.app.id, installationId: installation.installation.id, userId, scope })
    if (!consent.allowed) throw invalidGrant(consent.reason)
    return issueInstallationToken(tokenDeps, { installation, userId, scope: consent.scope, kind: 'impersonation', refreshable: false })
  }

  /** Signature (the installation's secrets), `exp`, `aud`, then `tnt` and the assertion's short life. */
  async #verify(assertion: string, { installation, secrets }: InstallationWithSecrets): Promise<JWTPayload> {
    const { clock, issuer } = this.deps
    const now = clock.now()
    let claims
    try {
      claims = await verifyWithSharedSecrets(assertion, secrets, { now, requiredClaims: ['sub', 'tnt', 'aud'], audience: `${issuer}/oauth/token`, label: 'assertion' })
    } catch (error) {
      throw error instanceof AppJwtRefusal ? invalidGrant(error.message) : error
    }
    if (claims === BAD_SIGNATURE) {
      throw invalidGrant(`The assertion's signature does not verify with the shared secret of the installation with the oauthClientId "${installation.oauthClientId}" (HS256)`)
    }
    if (claims.tnt !== issuer) throw invalidGrant(`The assertion's "tnt" must be this platform's base URL, "${issuer}"`)
    if ((claims.exp as number) > Math.floor(now / 1000) + MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
      throw invalidGrant(`The assertion's "exp" (${iso(claims.exp as number)}) is more than ${MAX_ASSERTION_LIFETIME_SECONDS} s from now; sign each assertion just before the exchange`)
    }
    return claims
  }
}

function decodeAssertion(assertion: string): JWTPayload {
  try {
    return decodeJwt(assertion)
  } catch {
    throw invalidGrant('The assertion is not a well-formed JWT (header.payload.signature, base64url-encoded JSON)')
  }
}

/** The identifier after a claim's URN prefix. */
function prefixed(value: unknown, prefix: string, claim: string, expected: string): string {
  if (typeof value === 'string' && value.startsWith(prefix) && value.length > prefix.length) return value.slice(prefix.length)
  throw invalidGrant(`The assertion's "${claim}" must be ${expected}`)
}

function checkMayImpersonate({ installation, app, workspaceSlug }: InstallationWithSecrets): void {
  if (app.disabled) throw invalidGrant(`The app "${app.key}" is disabled`)
  if (installation.state === 'disabled') throw invalidGrant(`The installation of "${app.key}" in workspace "${workspaceSlug}" is disabled`)
  if (!app.actsAsUser) {
    throw new OAuthError('unauthorized_client', `The app "${app.key}" may not act as users: its descriptor's scopes do not include ${ACT_AS_USER}`)
  }
}

/** The user, if a person (not an app account), enabled, and a member of the installation's workspace. */
async function personInWorkspace(deps: TokenDeps, userId: string, { workspaceSlug, installation }: InstallationWithSecrets): Promise<string> {
  const user = await findUserInWorkspace(deps.db, userId, installation.workspaceId)
  if (!user) throw invalidGrant(`No user has the id "${userId}"`)
  if (user.kind !== 'person') throw invalidGrant(`"${user.username}" is an app account; an app may act only as a person`)
  if (user.disabled_at !== null) throw invalidGrant(`The user "${user.username}" is disabled`)
  if (user.role === null) throw invalidGrant(`The user "${user.username}" is not a member of workspace "${workspaceSlug}", where the app is installed`)
  return user.id
}
