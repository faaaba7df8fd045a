import { createHash } from 'node:crypto'
import { decodeJwt, type JWTPayload } from 'jose'
import type { Clock } from '../domain/clock.js'
import { canonicalRequest, queryStringHashMatches, type FormParameters } from '../domain/qsh.js'
import { AppJwtRefusal, appJwtIssuer, lifetimeProblem, type AppJwtIssuer } from './app-jwt.js'
import type { InstallationDirectory, InstallationWithSecrets } from './installation-directory.js'
import { BAD_SIGNATURE, verifyWithSharedSecrets } from './shared-secret-jwt.js'

/** The request an app JWT came with, which its `qsh` must match. */
export interface AppJwtRequest {
  method: string
  /** Path and query as received (Fastify's `request.url`), relative to the issuer's host and path. */
  url: string
  /** A form body's parameters, which stand in for the query of a POST (the JWT grant is signed this way). */
  formParameters?: FormParameters
}

/** A verified app JWT: the installation that signed it, and its claims. */
export interface VerifiedAppJwt {
  installation: InstallationWithSecrets
  /** `iat`, in seconds. */
  issuedAt: number
  /** The token's `jti`, or a digest of the token when it has none: what a revocation by token names. */
  tokenId: string
}

export interface AppJwtVerifierDeps {
  directory: InstallationDirectory
  clock: Clock
  /** Gatehouse's public URL (the `baseUrl` apps receive on install): request paths are relative to it. */
  issuer: string
}

/**
 * An app JWT, step by step: who it says signed it → that installation (cached briefly) → the
 * signature with its shared secrets, and `exp` (jose) → a short lifetime → the `qsh` of this
 * request → the installation and its app still enabled. The first step that fails refuses,
 * naming itself; the order means only a correctly signed token learns an installation's state.
 */
export class AppJwtVerifier {
  constructor(private readonly deps: AppJwtVerifierDeps) {}

  /**
   * `fresh` reads the installation from the database, not the cache: the token endpoint issues
   * tokens that outlive the request, so a disable must stop it at once, not within a second.
   */
  async verify(token: string, request: AppJwtRequest, { fresh = false } = {}): Promise<VerifiedAppJwt> {
    const issuer = appJwtIssuer(decodeUnverified(token))
    const { installation, claims } = await this.#verifySignature(token, issuer, fresh)
    checkLifetime(claims, this.deps.clock.now())
    this.#checkQsh(claims, request)
    checkEnabled(installation)
    return { installation, issuedAt: claims.iat as number, tokenId: typeof claims.jti === 'string' && claims.jti !== '' ? claims.jti : digest(token) }
  }

  /** The installation whose secret verifies the token; cached secrets that fail are read again once, in case a rotation just replaced them. */
  async #verifySignature(token: string, issuer: AppJwtIssuer, fresh: boolean): Promise<{ installation: InstallationWithSecrets; claims: JWTPayload }> {
    const { directory, clock } = this.deps
    let lookup = await directory.byIssuer(issuer.iss, issuer.sub, { fresh })
    for (;;) {
      if (lookup.candidates.length === 0) throw unknownIssuer(issuer)
      for (const installation of lookup.candidates) {
        const claims = await verifyWithSharedSecrets(token, installation.secrets, { now: clock.now(), requiredClaims: ['iat', 'qsh'], label: 'app JWT' })
        if (claims !== BAD_SIGNATURE) return { installation, claims }
      }
      if (!lookup.fromCache) throw new AppJwtRefusal('bad_signature', "The app JWT's signature does not verify with the installation's shared secret (HS256); sign with the sharedSecret of the latest installed callback")
      lookup = await directory.byIssuer(issuer.iss, issuer.sub, { fresh: true })
    }
  }

  #checkQsh(claims: JWTPayload, request: AppJwtRequest): void {
    const qshRequest = { method: request.method, url: `${this.deps.issuer}${request.url}`, baseUrl: this.deps.issuer, formParameters: request.formParameters }
    if (typeof claims.qsh === 'string' && queryStringHashMatches(claims.qsh, qshRequest)) return
    throw new AppJwtRefusal('qsh_mismatch', `The app JWT's "qsh" does not match this request; it must be the hex SHA-256 of "${canonicalRequest({ ...qshRequest, formParameters: undefined })}"`)
  }
}

function decodeUnverified(token: string): JWTPayload {
  try {
    return decodeJwt(token)
  } catch {
    throw new AppJwtRefusal('malformed', 'The app JWT is not a well-formed JWT (header.payload.signature, base64url-encoded JSON)')
  }
}

function checkLifetime(claims: JWTPayload, now: number): void {
  if (typeof claims.iat !== 'number' || typeof claims.exp !== 'number') throw new AppJwtRefusal('missing_claim', 'The app JWT needs numeric "iat" and "exp" claims')
  const problem = lifetimeProblem({ iat: claims.iat, exp: claims.exp }, Math.floor(now / 1000))
  if (problem) throw new AppJwtRefusal('lifetime_too_long', problem)
}

function checkEnabled({ installation, app, workspaceSlug }: InstallationWithSecrets): void {
  if (app.disabled) throw new AppJwtRefusal('app_disabled', `The app "${app.key}" is disabled; no installation of it may call the API`)
  if (installation.state === 'disabled') {
    throw new AppJwtRefusal('installation_disabled', `The installation of "${app.key}" in workspace "${workspaceSlug}" is disabled; it may call again once a workspace admin enables it`)
  }
}

function unknownIssuer({ iss, sub }: AppJwtIssuer): AppJwtRefusal {
  const named = sub === undefined
    ? `the clientKey "${iss}" (if "${iss}" is the app key, put the clientKey in "sub")`
    : `the clientKey "${iss}", and no app "${iss}" has one with the clientKey "${sub}"`
  return new AppJwtRefusal('unknown_issuer', `No installation has ${named}; the app may have been uninstalled (the clientKey comes from the latest installed callback)`)
}

function digest(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('base64url')}`
}
