/**
 * The rules of the JWTs an installed app signs with its shared secret (HS256): app JWTs on API
 * calls and the JWT grant (`Authorization: JWT …`), and impersonation assertions. Pure: time is
 * a parameter, in seconds as the claims are.
 */

/** Why a JWT of an installed app is refused; one code per failure, so callers and tests can tell them apart. */
export type AppJwtFailure =
  | 'malformed'
  | 'missing_claim'
  | 'invalid_claim'
  | 'unknown_issuer'
  | 'bad_signature'
  | 'expired'
  | 'lifetime_too_long'
  | 'qsh_mismatch'
  | 'installation_disabled'
  | 'app_disabled'

/** A refused app JWT; `message` says which rule it broke and what to change, and is shown to the app. */
export class AppJwtRefusal extends Error {
  constructor(
    readonly failure: AppJwtFailure,
    message: string,
  ) {
    super(message)
    this.name = 'AppJwtRefusal'
  }
}

/** How far the app's clock may be from ours, either way. */
export const CLOCK_SKEW_SECONDS = 30
/** An app JWT lives at most this long after it was issued, and ends at most this far from now. */
export const MAX_APP_JWT_LIFETIME_SECONDS = 300

/** Who an app JWT says signed it: the installation's clientKey, and the app key when `iss` is the app key. */
export interface AppJwtIssuer {
  iss: string
  /** Present when the token has a `sub`: with `iss` the app key, it is the clientKey (Bitbucket Connect's form). */
  sub: string | undefined
}

export function appJwtIssuer(claims: { iss?: unknown; sub?: unknown }): AppJwtIssuer {
  if (typeof claims.iss !== 'string' || claims.iss === '') {
    throw new AppJwtRefusal('missing_claim', 'The app JWT has no "iss" claim; set it to the installation\'s clientKey (or to the app key, with "sub" set to the clientKey)')
  }
  return { iss: claims.iss, sub: typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : undefined }
}

/**
 * An app JWT is short-lived: `exp` at most MAX_APP_JWT_LIFETIME_SECONDS after `iat` and after now,
 * and `iat` not in the future (each with the clock skew allowed). A long-lived token would be a
 * second shared secret, sent on every request. Expiry itself is checked with the signature.
 */
export function lifetimeProblem(claims: { iat: number; exp: number }, nowSeconds: number): string | undefined {
  if (claims.iat > nowSeconds + CLOCK_SKEW_SECONDS) {
    return `The app JWT's "iat" (${iso(claims.iat)}) is in the future; sign it with the current time (our clock reads ${iso(nowSeconds)})`
  }
  if (claims.exp - claims.iat > MAX_APP_JWT_LIFETIME_SECONDS) {
    return `The app JWT's "exp" is ${claims.exp - claims.iat} s after its "iat"; an app JWT may live at most ${MAX_APP_JWT_LIFETIME_SECONDS} s`
  }
  if (claims.exp > nowSeconds + MAX_APP_JWT_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS) {
    return `The app JWT's "exp" (${iso(claims.exp)}) is more than ${MAX_APP_JWT_LIFETIME_SECONDS} s from now; an app JWT may live at most ${MAX_APP_JWT_LIFETIME_SECONDS} s`
  }
  return undefined
}

export function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString()
}
