/**
 * One error class per failure family. Handlers throw these; the single error
 * handler in `src/web/error-handler.ts` turns them into responses, so no route
 * builds error JSON inline.
 */
export type ErrorCode =
  | 'ERR_CONFIG'
  | 'ERR_OAUTH'
  | 'ERR_NOT_FOUND'
  | 'ERR_BAD_REQUEST'
  | 'ERR_CONFLICT'
  | 'ERR_UNAUTHENTICATED'
  | 'ERR_FORBIDDEN'
  | 'ERR_INVALID_TOKEN'
  | 'ERR_INSUFFICIENT_SCOPE'
  | 'ERR_UPSTREAM'
  | 'ERR_UNAVAILABLE'
  | 'ERR_TOO_MANY_ATTEMPTS'

export class GatehouseError extends Error {
  readonly code: ErrorCode
  readonly status: number
  /** Whether `message` may be shown to the caller. */
  readonly expose: boolean

  constructor(code: ErrorCode, message: string, status: number, expose = true) {
    super(message)
    this.name = new.target.name
    this.code = code
    this.status = status
    this.expose = expose
  }
}

export class ConfigError extends GatehouseError {
  constructor(message: string) {
    super('ERR_CONFIG', message, 500, false)
  }
}

/** RFC 6749 §5.2 / RFC 7591 §3.2.2 / RFC 7009 error values. */
export type OAuthErrorValue =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'unsupported_token_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_token'
  // OpenID Connect Core §3.1.2.6, answered to `prompt=none`
  | 'login_required'
  | 'consent_required'

export class OAuthError extends GatehouseError {
  readonly error: OAuthErrorValue
  /** Extra response headers, e.g. WWW-Authenticate for invalid_client over Basic. */
  readonly headers: Record<string, string>

  constructor(error: OAuthErrorValue, description: string, status = 400, headers: Record<string, string> = {}) {
    super('ERR_OAUTH', description, status)
    this.error = error
    this.headers = headers
  }
}

export class NotFoundError extends GatehouseError {
  constructor(message = 'Not found') {
    super('ERR_NOT_FOUND', message, 404)
  }
}

export class BadRequestError extends GatehouseError {
  constructor(message: string) {
    super('ERR_BAD_REQUEST', message, 400)
  }
}

export class ConflictError extends GatehouseError {
  constructor(message: string) {
    super('ERR_CONFLICT', message, 409)
  }
}

export class ForbiddenError extends GatehouseError {
  constructor(message = 'Forbidden') {
    super('ERR_FORBIDDEN', message, 403)
  }
}

/** RFC 6750 §3.1: a missing, malformed, expired or revoked bearer token. */
export class InvalidTokenError extends GatehouseError {
  constructor(message: string) {
    super('ERR_INVALID_TOKEN', message, 401)
  }
}

/** RFC 6750 §3: a protected resource was asked for without credentials; the challenge carries no error code. */
export class MissingTokenError extends GatehouseError {
  constructor(message = 'This operation needs an access token: send "Authorization: Bearer <token>"') {
    super('ERR_UNAUTHENTICATED', message, 401)
  }
}

/** The upstream API behind the gateway failed to answer (502) or answered too late (504). */
export class UpstreamError extends GatehouseError {
  constructor(message: string, status: 502 | 504) {
    super('ERR_UPSTREAM', message, status)
  }
}

/**
 * A dependency (the database, or another overloaded resource) cannot serve the request now; the
 * caller should retry after `retryAfterSeconds`. 503, never 500: nothing is wrong with the request or the code.
 */
export class ServiceUnavailableError extends GatehouseError {
  readonly retryAfterSeconds: number

  constructor(message: string, retryAfterSeconds: number) {
    super('ERR_UNAVAILABLE', message, 503)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/**
 * 429: this account or client address failed too often (wrong passwords, client secrets, bearer
 * tokens) and is locked for `retryAfterSeconds`. Only failures lead here, never busy honest use.
 */
export class TooManyAttemptsError extends GatehouseError {
  readonly retryAfterSeconds: number

  constructor(message: string, retryAfterSeconds: number) {
    super('ERR_TOO_MANY_ATTEMPTS', message, 429)
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/** RFC 6750 §3.1: the token is valid but lacks a scope the operation needs. */
function insufficientScopeMessage(required: readonly string[], missing: readonly string[]): string {
  if (required.length === 1) return `This operation needs the scope ${required[0]}`
  const lacks = missing.length > 0 && missing.length < required.length ? ` (the token lacks ${missing.join(' ')})` : ''
  return `This operation needs every one of the scopes ${required.join(' ')}${lacks}: holding only some of them is not enough`
}

export class InsufficientScopeError extends GatehouseError {
  /** The scopes of the requirement the token came closest to meeting: what to ask for (RFC 6750 §3.1's `scope`). */
  readonly requiredScopes: readonly string[]
  readonly missingScopes: readonly string[]

  constructor(requiredScopes: readonly string[], missingScopes: readonly string[] = requiredScopes) {
    super('ERR_INSUFFICIENT_SCOPE', insufficientScopeMessage(requiredScopes, missingScopes), 403)
    this.requiredScopes = requiredScopes
    this.missingScopes = missingScopes
  }
}
