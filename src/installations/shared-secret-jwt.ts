import { errors, jwtVerify, type JWTPayload } from 'jose'
import { AppJwtRefusal, CLOCK_SKEW_SECONDS, iso } from './app-jwt.js'

export interface SharedSecretJwtOptions {
  /** Now, in epoch milliseconds (the server's clock, so tests can move it). */
  now: number
  /** Claims that must be present; `exp` is always required. */
  requiredClaims: readonly string[]
  /** The `aud` the token must carry (impersonation assertions name the token endpoint). */
  audience?: string
  /** What the token is called in messages: "app JWT" or "assertion". */
  label: string
}

/** No secret verified the signature: the caller may read the secrets afresh and try again. */
export const BAD_SIGNATURE = Symbol('bad signature')

/**
 * Verifies an HS256 JWT against each secret in turn (a rotation leaves two usable) and validates its
 * claims with jose. The payload of the first secret whose signature verifies; BAD_SIGNATURE if none
 * does; an AppJwtRefusal naming the claim when the signature verifies but a claim does not.
 */
export async function verifyWithSharedSecrets(token: string, secrets: readonly Uint8Array[], options: SharedSecretJwtOptions): Promise<JWTPayload | typeof BAD_SIGNATURE> {
  for (const secret of secrets) {
    try {
      const { payload } = await jwtVerify(token, secret, {
        algorithms: ['HS256'],
        requiredClaims: ['exp', ...options.requiredClaims],
        audience: options.audience,
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(options.now),
      })
      return payload
    } catch (error) {
      if (error instanceof errors.JWSSignatureVerificationFailed) continue
      throw refusal(error, options.label)
    }
  }
  return BAD_SIGNATURE
}

/** jose's failures, by code, as refusals the app can act on. */
function refusal(error: unknown, label: string): unknown {
  if (error instanceof errors.JWTExpired) {
    const exp = typeof error.payload.exp === 'number' ? ` at ${iso(error.payload.exp)}` : ''
    return new AppJwtRefusal('expired', `The ${label} expired${exp}; sign a new one for each request`)
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return new AppJwtRefusal('missing_claim', `The ${label} has no "${error.claim}" claim`)
    return new AppJwtRefusal('invalid_claim', `The ${label}'s "${error.claim}" claim is not valid: ${error.message}`)
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new AppJwtRefusal('malformed', `The ${label} must be signed with HS256 and the installation's shared secret`)
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new AppJwtRefusal('malformed', `The ${label} is not a well-formed JWT: ${error.message}`)
  }
  return error
}
