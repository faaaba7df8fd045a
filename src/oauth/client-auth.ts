import type { App, TokenEndpointAuthMethod } from '../apps/app.js'
import { findAppByClientId, listLiveSecrets } from '../apps/apps.queries.js'
import { BoundedCache } from '../domain/bounded-cache.js'
import type { Clock } from '../domain/clock.js'
import { parseAuthorization } from '../domain/credentials.js'
import { hashesEqual, hashSecret } from '../domain/opaque-token.js'
import { OAuthError } from '../errors.js'
import type { Db } from '../store/database.js'

/** How a client proved who it is on this request. */
export interface ClientCredentials {
  method: TokenEndpointAuthMethod
  clientId: string
  /** Absent for `none`. */
  secret?: string
}

export interface CredentialParams {
  client_id?: string
  client_secret?: string
}

const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="gatehouse"' }

/**
 * Reads the one authentication method a request uses (RFC 6749 §2.3): HTTP
 * Basic, `client_id` + `client_secret` in the body, or `client_id` alone for a
 * public app. Other Authorization schemes are not client authentication and are ignored.
 */
export function readClientCredentials(authorization: string | undefined, params: CredentialParams): ClientCredentials {
  const basic = parseBasic(authorization)
  if (basic) {
    if (params.client_secret !== undefined) {
      throw new OAuthError('invalid_request', 'Use one client authentication method: HTTP Basic or client_secret in the body, not both')
    }
    if (params.client_id !== undefined && params.client_id !== basic.clientId) {
      throw new OAuthError('invalid_request', 'The client_id in the body differs from the one in the Authorization header')
    }
    return { method: 'client_secret_basic', ...basic }
  }
  if (params.client_id === undefined || params.client_id === '') {
    throw new OAuthError('invalid_client', 'Client authentication is missing: use HTTP Basic, client_id and client_secret in the body, or client_id alone for a public app', 401)
  }
  if (params.client_secret !== undefined) return { method: 'client_secret_post', clientId: params.client_id, secret: params.client_secret }
  return { method: 'none', clientId: params.client_id }
}

/** Basic credentials as OAuth clients send them (form-encoded, RFC 6749 §2.3.1); undefined for any other scheme. */
function parseBasic(authorization: string | undefined): { clientId: string; secret: string } | undefined {
  const credential = parseAuthorization(authorization, { basic: 'form-encoded' })
  if (credential.kind === 'basic' && credential.username !== '') return { clientId: credential.username, secret: credential.password }
  if (credential.kind === 'basic' || (credential.kind === 'malformed' && credential.scheme === 'basic')) {
    const reason = credential.kind === 'malformed' ? credential.reason : 'The Basic credentials name no client_id'
    throw new OAuthError('invalid_client', reason, 401, BASIC_CHALLENGE)
  }
  return undefined
}

export interface ClientAuthenticatorOptions {
  /** How long a successful authentication is remembered. */
  cacheMs: number
  maxEntries: number
}

/**
 * Checks client credentials against the apps table.
 *
 * Successes are remembered for a few seconds, keyed by client_id and the
 * secret's SHA-256, so a busy client costs a hash and a map look-up instead of
 * two queries. A change to an app anywhere (disabled, deleted, secret rotated,
 * owner disabled) reaches every process on the revocation stream, and `forget`
 * drops that app's entries at once; `cacheMs` only bounds how long a process
 * that missed the notice keeps them. An entry never outlives the secret's own
 * expiry, so rotation grace periods are exact. Failures are never cached.
 */
export class ClientAuthenticator {
  readonly #cache: BoundedCache<App>
  /**
   * Per client_id, how many changes this process has heard of. A check that read the database
   * before a change and finishes after it must not cache what it read: it compares these.
   */
  readonly #changes = new Map<string, number>()

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly options: ClientAuthenticatorOptions = { cacheMs: 5000, maxEntries: 1000 },
  ) {
    this.#cache = new BoundedCache(options.maxEntries)
  }

  async authenticate(credentials: ClientCredentials): Promise<App> {
    const now = this.clock.now()
    const secretHash = credentials.secret === undefined ? '' : hashSecret(credentials.secret)
    const key = `${credentials.method === 'none' ? 'none' : 'secret'}\n${credentials.clientId}\n${secretHash}`
    const cached = this.#cache.get(key, now)
    if (cached) return cached
    const changesBefore = this.#changes.get(credentials.clientId)
    const { app, validUntil } = await this.check(credentials, secretHash, now)
    if (this.#changes.get(credentials.clientId) === changesBefore) this.#cache.set(key, app, Math.min(validUntil, now + this.options.cacheMs))
    return app
  }

  /** The app changed: what was cached about it (its state, its owner's, its secrets) no longer holds. */
  forget(clientId: string): void {
    this.#changes.set(clientId, (this.#changes.get(clientId) ?? 0) + 1)
    this.#cache.deleteWhere((key) => clientIdOfKey(key) === clientId)
  }

  private async check(credentials: ClientCredentials, secretHash: string, now: number): Promise<{ app: App; validUntil: number }> {
    const fail = (description: string) =>
      new OAuthError('invalid_client', description, 401, credentials.method === 'client_secret_basic' ? BASIC_CHALLENGE : {})
    const app = await findAppByClientId(this.db, credentials.clientId)
    if (!app) throw fail('Client authentication failed')
    if (app.disabledAt !== null) throw fail('Client authentication failed: the app is disabled')
    if (credentials.method === 'none') {
      if (!app.isPublic) throw fail('Client authentication failed: a confidential app must send its client secret')
      return { app, validUntil: Infinity }
    }
    if (app.isPublic) throw fail('Client authentication failed: a public app has no secret; send client_id alone')
    // Compare against every live secret without stopping early, so timing tells nothing about which matched.
    let validUntil: number | undefined
    for (const secret of await listLiveSecrets(this.db, app.id, now)) {
      if (hashesEqual(secret.secret_hash, secretHash)) validUntil = secret.expires_at ?? Infinity
    }
    if (validUntil === undefined) throw fail('Client authentication failed')
    return { app, validUntil }
  }
}

/** Cache keys are `method\nclient_id\nsecret hash`; only real apps' client_ids (never with a newline) get cached. */
function clientIdOfKey(key: string): string {
  const start = key.indexOf('\n') + 1
  return key.slice(start, key.indexOf('\n', start))
}
