import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose'
import { newId } from '../domain/ids.js'
import type { Clock } from '../domain/clock.js'
import { InvalidTokenError } from '../errors.js'
import type { SigningKeys } from './signing-keys.js'

/** RFC 9068 claims, plus `gid`: the grant the token was issued under, so revoking a grant reaches its access tokens. */
export interface AccessTokenClaims {
  iss: string
  sub: string
  aud: string
  client_id: string
  scope: string
  jti: string
  iat: number
  exp: number
  gid?: string
}

export interface IssueAccessTokenInput {
  subject: string
  clientId: string
  scope: string
  grantId?: string
}

export interface IssuedAccessToken {
  token: string
  claims: AccessTokenClaims
  expiresIn: number
}

export interface AccessTokenSettings {
  issuer: string
  audience: string
  ttlSeconds: number
}

/** Signs and verifies the JWT access tokens (RFC 9068 profile, ES256). */
export class AccessTokens {
  constructor(
    private readonly keys: SigningKeys,
    private readonly clock: Clock,
    private readonly settings: AccessTokenSettings,
  ) {}

  async issue(input: IssueAccessTokenInput): Promise<IssuedAccessToken> {
    const iat = Math.floor(this.clock.now() / 1000)
    const claims: AccessTokenClaims = {
      iss: this.settings.issuer,
      sub: input.subject,
      aud: this.settings.audience,
      client_id: input.clientId,
      scope: input.scope,
      jti: newId(),
      iat,
      exp: iat + this.settings.ttlSeconds,
      ...(input.grantId ? { gid: input.grantId } : {}),
    }
    const { kid, alg, privateKey } = this.keys.signingKey()
    const token = await new SignJWT(claims as unknown as JWTPayload)
      .setProtectedHeader({ alg, kid, typ: 'at+jwt' })
      .sign(privateKey)
    return { token, claims, expiresIn: this.settings.ttlSeconds }
  }

  /**
   * Checks signature, type, issuer, audience and expiry. Revocation is not
   * checked here: callers consult the revocation list, which changes after issue.
   */
  async verify(token: string): Promise<AccessTokenClaims> {
    try {
      const { payload } = await jwtVerify(token, async (header) => {
        const key = await this.keys.verificationKey(header.kid)
        if (!key) throw new InvalidTokenError('The access token was signed by an unknown key')
        return key
      }, {
        algorithms: ['ES256'],
        typ: 'at+jwt',
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        requiredClaims: ['sub', 'client_id', 'jti', 'exp', 'iat'],
        currentDate: new Date(this.clock.now()),
      })
      return payload as unknown as AccessTokenClaims
    } catch (error) {
      throw toInvalidToken(error)
    }
  }
}

function toInvalidToken(error: unknown): InvalidTokenError {
  if (error instanceof InvalidTokenError) return error
  if (error instanceof joseErrors.JWTExpired) return new InvalidTokenError('The access token expired')
  if (error instanceof joseErrors.JWTClaimValidationFailed) return new InvalidTokenError(`The access token is not valid here: ${error.message}`)
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return new InvalidTokenError('The access token signature is invalid')
  return new InvalidTokenError('The access token is malformed')
}
