import { errors } from 'jose'

/**
 * The demo vendor's refusals. It is another app that happens to share Gatehouse's process, so it
 * answers in its own shape (its own error handler, routes.ts), not Gatehouse's.
 */
export type VendorErrorCode = 'invalid_jwt' | 'invalid_token' | 'invalid_payload' | 'unknown_installation' | 'installation_disabled' | 'platform_unreachable' | 'platform_refused'

const STATUS: Record<VendorErrorCode, number> = {
  invalid_jwt: 401,
  invalid_token: 401,
  invalid_payload: 400,
  unknown_installation: 401,
  installation_disabled: 403,
  platform_unreachable: 502,
  platform_refused: 502,
}

export class VendorError extends Error {
  readonly status: number

  constructor(
    readonly code: VendorErrorCode,
    message: string,
  ) {
    super(message)
    this.name = 'VendorError'
    this.status = STATUS[code]
  }
}

/** A jose failure as one sentence naming what was wrong with the token (never the token itself). */
export function invalidJwt(error: unknown, what: string): VendorError {
  if (error instanceof VendorError) return error
  if (error instanceof errors.JWTExpired) return new VendorError('invalid_jwt', `${what} has expired`)
  if (error instanceof errors.JWTClaimValidationFailed) return new VendorError('invalid_jwt', `${what}: the "${error.claim}" claim is not valid (${error.message})`)
  if (error instanceof errors.JWSSignatureVerificationFailed) return new VendorError('invalid_jwt', `${what}: the signature does not verify`)
  if (error instanceof errors.JOSEAlgNotAllowed) return new VendorError('invalid_jwt', `${what}: ${error.message}`)
  if (error instanceof errors.JOSEError) return new VendorError('invalid_jwt', `${what} is malformed (${error.message})`)
  throw error
}

/** The token of an `Authorization: JWT <token>` header (the scheme in any case), or why there is none. */
export function jwtFromAuthorization(header: string | undefined): string {
  const match = header === undefined ? null : /^JWT +([A-Za-z0-9_.-]+)\s*$/i.exec(header)
  if (!match) throw new VendorError('invalid_jwt', header === undefined ? 'send the callback with "Authorization: JWT <token>"' : 'the Authorization header is not "JWT <token>"')
  return match[1]
}
