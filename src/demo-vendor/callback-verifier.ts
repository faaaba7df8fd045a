import { decodeProtectedHeader, importSPKI, jwtVerify, type CryptoKey, type JWTPayload } from 'jose'
import type { Clock } from '../domain/clock.js'
import { queryStringHash } from '../domain/qsh.js'
import { invalidJwt, jwtFromAuthorization, VendorError } from './vendor-errors.js'

export interface CallbackVerifierOptions {
  /** The platform: the callbacks' `iss`, and where its keys are fetched (`/connect/keys/<kid>`). */
  platformUrl: string
  /** The app's baseUrl as its descriptor says it: the callbacks' `aud`. */
  appBaseUrl: string
  /** The path the app is served under here: request paths are relative to it for `qsh`. */
  basePath: string
  clock: Clock
}

export interface CallbackRequest {
  method: string
  /** The request target as received (path and query). */
  url: string
  authorization: string | undefined
}

/** A kid as the platform makes them; anything else is refused before it can reach a URL. */
const KID = /^[A-Za-z0-9_-]{1,64}$/
/** Keys are immutable per kid; a few are enough (the current one and one being rotated out). */
const MAX_CACHED_KEYS = 8
const KEY_FETCH_TIMEOUT_MS = 5000
/** Allowed difference between the platform's clock and this one. */
const CLOCK_TOLERANCE_SECONDS = 30

/**
 * Verifies a lifecycle callback the way any vendor can, with a standard JWT library (jose): the
 * token in `Authorization: JWT …` is RS256, signed by the platform key its header's `kid` names,
 * fetched as PEM from `<platform>/connect/keys/<kid>` (so even the first install is verifiable:
 * no shared secret exists yet); `iss` must be the platform, `aud` this app's baseUrl, `exp` not
 * passed; then `qsh` must be the hash of this very request, so a token for `/installed` cannot be
 * replayed against `/uninstalled`.
 */
export class CallbackVerifier {
  readonly #keys = new Map<string, CryptoKey>()

  constructor(private readonly options: CallbackVerifierOptions) {}

  async verify(request: CallbackRequest): Promise<JWTPayload> {
    const token = jwtFromAuthorization(request.authorization)
    const kid = this.kidOf(token)
    const key = await this.publicKey(kid)
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, key, {
        algorithms: ['RS256'],
        issuer: this.options.platformUrl,
        audience: this.options.appBaseUrl,
        requiredClaims: ['iat', 'exp', 'qsh'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(this.options.clock.now()),
      }))
    } catch (error) {
      throw invalidJwt(error, 'the callback token')
    }
    const expected = queryStringHash({ method: request.method, url: request.url, baseUrl: this.options.basePath })
    if (payload.qsh !== expected) throw new VendorError('invalid_jwt', 'the callback token: its "qsh" claim does not match this request (another method, path or query was signed)')
    return payload
  }

  private kidOf(token: string): string {
    let kid: unknown
    try {
      kid = decodeProtectedHeader(token).kid
    } catch (error) {
      throw invalidJwt(error, 'the callback token')
    }
    if (typeof kid !== 'string' || !KID.test(kid)) throw new VendorError('invalid_jwt', 'the callback token has no usable "kid" in its header')
    return kid
  }

  /** The platform's key `kid`, fetched once: a kid's key never changes. An unknown kid is not cached, so a key made since is found. */
  private async publicKey(kid: string): Promise<CryptoKey> {
    const known = this.#keys.get(kid)
    if (known) return known
    const url = `${this.options.platformUrl}/connect/keys/${kid}`
    let response: Response
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(KEY_FETCH_TIMEOUT_MS), redirect: 'error' })
    } catch (error) {
      throw new VendorError('platform_unreachable', `cannot fetch the platform's key ${url}: ${(error as Error).message}`)
    }
    if (response.status === 404) throw new VendorError('invalid_jwt', `the callback token names the kid "${kid}", which the platform does not publish`)
    if (response.status !== 200) throw new VendorError('platform_unreachable', `fetching the platform's key ${url} answered ${response.status}`)
    let key: CryptoKey
    try {
      key = await importSPKI(await response.text(), 'RS256')
    } catch (error) {
      throw new VendorError('platform_unreachable', `the platform's key ${url} is not an RS256 public key in PEM: ${(error as Error).message}`)
    }
    if (this.#keys.size >= MAX_CACHED_KEYS) this.#keys.delete(this.#keys.keys().next().value!)
    this.#keys.set(kid, key)
    return key
  }
}
