import { sign, type KeyObject } from 'node:crypto'
import { errors as joseErrors, jwtVerify } from 'jose'
import { newId } from '../domain/ids.js'
import type { Clock } from '../domain/clock.js'
import { InvalidTokenError } from '../errors.js'
import { databaseUnavailable } from '../store/database.js'
import type { SigningKeys } from './signing-keys.js'

/**
 * RFC 9068 claims, plus `gid`: the grant the token was issued under, so revoking a grant reaches its
 * access tokens; and `workspaces`: the slugs of the only workspaces the user let the app reach,
 * present only when the grant is so limited.
 */
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
  workspaces?: string[]
}

export interface IssueAccessTokenInput {
  subject: string
  clientId: string
  scope: string
  grantId?: string
  /** Only these workspaces; null or absent: all of the user's. */
  workspaces?: readonly string[] | null
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
      ...(input.workspaces ? { workspaces: [...input.workspaces] } : {}),
    }
    const { kid, alg, privateKey } = this.keys.signingKey()
    const signingInput = `${base64url({ alg, kid, typ: 'at+jwt' })}.${base64url(claims)}`
    const signature = await signEs256(signingInput, privateKey)
    return { token: `${signingInput}.${signature}`, claims, expiresIn: this.settings.ttlSeconds }
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
      // An unknown kid reloads the keys from the database: if that is down, the token is not invalid, we are unavailable.
      throw databaseUnavailable(error) ?? toInvalidToken(error)
    }
  }
}

/**
 * JWS compact serialization (RFC 7515 §7.1) signed with node:crypto. jose signs through WebCrypto,
 * which costs ~100 µs a token here against ~20 µs for node's ECDSA on a KeyObject, and the token
 * endpoint's throughput is bound by it. Verification stays with jose; the tests verify our tokens
 * with jose and with an independent client library.
 */
function signEs256(signingInput: string, privateKey: KeyObject): Promise<string> {
  return new Promise((resolve, reject) =>
    sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' }, (error, signature) =>
      error ? reject(error) : resolve(signature.toString('base64url')),
    ),
  )
}

function base64url(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

function toInvalidToken(error: unknown): InvalidTokenError {
  if (error instanceof InvalidTokenError) return error
  if (error instanceof joseErrors.JWTExpired) return new InvalidTokenError('The access token expired')
  if (error instanceof joseErrors.JWTClaimValidationFailed) return new InvalidTokenError(`The access token is not valid here: ${error.message}`)
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return new InvalidTokenError('The access token signature is invalid')
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return new InvalidTokenError('The access token is not signed with ES256')
  return new InvalidTokenError('The access token is malformed')
}
