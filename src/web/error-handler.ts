import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { GatehouseError, InsufficientScopeError, InvalidTokenError, MissingTokenError, OAuthError, ServiceUnavailableError, TooManyAttemptsError } from '../errors.js'
import { databaseUnavailable, isRejectedValue } from '../store/database.js'
import { formatScope } from '../domain/scopes.js'
import { prefersHtml } from './content-negotiation.js'
import { errorPage, headerAccount, type HeaderAccount } from './layout.js'
import { pageHeaders } from './page-scope.js'

/**
 * How a route's errors are written, set in its `config.errorFormat`:
 * - `oauth`: RFC 6749 `{ error, error_description }`;
 * - `page`: an HTML page for people;
 * - `api` (default): `{ error: { code, message } }`, or a page when a browser navigates there
 *   (see `errorFormatFor`).
 */
export type ErrorFormat = 'oauth' | 'api' | 'page'

declare module 'fastify' {
  interface FastifyContextConfig {
    errorFormat?: ErrorFormat
  }
}

interface Described {
  status: number
  /** RFC 6749 error value for OAuth routes. */
  oauthError: string
  code: string
  message: string
  /** What a person is told instead, when `message` is written for programs. */
  pageMessage?: string
  headers: Record<string, string>
}

export function installErrorHandling(server: FastifyInstance): void {
  server.setErrorHandler((error: FastifyError, request, reply) => {
    const described = describe(error)
    // An outage fails every request alike: a warning each, not an error report each.
    if (described.status === 503) request.log.warn({ err: error }, 'request failed: a dependency is unavailable')
    else if (described.status >= 500) request.log.error({ err: error }, 'request failed')
    return send(request, reply, described)
  })

  server.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]
    return send(request, reply, { status: 404, oauthError: 'invalid_request', code: 'ERR_NOT_FOUND', message: `No route for ${request.method} ${path}`, pageMessage: `There is no page at ${path}.`, headers: {} })
  })
}

function describe(error: FastifyError): Described {
  if (error instanceof OAuthError) {
    return { status: error.status, oauthError: error.error, code: error.error, message: error.message, headers: error.headers }
  }
  if (error instanceof MissingTokenError) {
    return { status: 401, oauthError: 'invalid_request', code: error.code, message: error.message, headers: { 'www-authenticate': 'Bearer realm="gatehouse"' } }
  }
  if (error instanceof InvalidTokenError) {
    return {
      status: 401,
      oauthError: 'invalid_token',
      code: 'invalid_token',
      message: error.message,
      headers: { 'www-authenticate': `Bearer error="invalid_token", error_description="${quoted(error.message)}"` },
    }
  }
  if (error instanceof InsufficientScopeError) {
    return {
      status: 403,
      oauthError: 'insufficient_scope',
      code: 'insufficient_scope',
      message: error.message,
      headers: { 'www-authenticate': `Bearer error="insufficient_scope", scope="${formatScope(error.requiredScopes)}"` },
    }
  }
  if (error instanceof ServiceUnavailableError) return unavailable(error)
  if (error instanceof TooManyAttemptsError) return tooManyAttempts(error)
  if (error instanceof GatehouseError) {
    return {
      status: error.status,
      oauthError: error.status >= 500 ? 'server_error' : 'invalid_request',
      code: error.code,
      message: error.expose ? error.message : 'Internal error',
      headers: {},
    }
  }
  const databaseDown = databaseUnavailable(error)
  if (databaseDown) return unavailable(databaseDown)
  if (isRejectedValue(error)) {
    return { status: 400, oauthError: 'invalid_request', code: 'ERR_BAD_REQUEST', message: 'The request contains a value that cannot be stored, such as a NUL character', headers: {} }
  }
  if (error.validation) {
    return { status: 400, oauthError: 'invalid_request', code: 'ERR_BAD_REQUEST', message: validationMessage(error), headers: {} }
  }
  // Fastify's own client errors (bad JSON, unsupported media type, body too large…) carry a 4xx statusCode.
  const status = error.statusCode ?? 500
  if (status >= 400 && status < 500) {
    return { status, oauthError: 'invalid_request', code: error.code ?? 'ERR_BAD_REQUEST', message: error.message, headers: {} }
  }
  return { status: 500, oauthError: 'server_error', code: 'ERR_INTERNAL', message: 'Internal error', headers: {} }
}

/** RFC 6749 §4.1.2.1's temporarily_unavailable on OAuth endpoints; RFC 9110 §10.2.3's Retry-After everywhere. */
function unavailable(error: ServiceUnavailableError): Described {
  return {
    status: 503,
    oauthError: 'temporarily_unavailable',
    code: error.code,
    message: error.message,
    headers: { 'retry-after': String(error.retryAfterSeconds) },
  }
}

async function send(request: FastifyRequest, reply: FastifyReply, described: Described) {
  const routeFormat = request.routeOptions.config?.errorFormat
  const format = errorFormatFor(request)
  reply.code(described.status).headers(described.headers)
  if (format === 'oauth') {
    reply.header('cache-control', 'no-store')
    return reply.send({ error: described.oauthError, error_description: described.message })
  }
  if (format === 'page') {
    // A page route's scope has set the page headers already; a page answered in place of JSON has not.
    if (routeFormat !== 'page') reply.headers(pageHeaders(request.server.config))
    const account = await signedInAccount(request, described)
    return reply
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(errorPage(titleFor(described.status), described.pageMessage ?? described.message, account))
  }
  return reply.send({ error: { code: described.code, message: described.message } })
}

/**
 * A route's own format; where it has none (no route matched, or a route answering programs), a
 * page for a browser that navigated there, outside the paths only programs use. RFC 6749 and the
 * API's clients get JSON whatever they accept.
 */
function errorFormatFor(request: FastifyRequest): ErrorFormat {
  const format = request.routeOptions.config?.errorFormat
  if (format === 'page' || format === 'oauth') return format
  return !forPrograms(request.url) && prefersHtml(request.headers.accept) ? 'page' : 'api'
}

function forPrograms(url: string): boolean {
  const path = url.split('?')[0]
  if (path === '/oauth/authorize' || path.startsWith('/oauth/authorize/')) return false
  return path === '/2.0' || path.startsWith('/2.0/') || path.startsWith('/oauth/') || path.startsWith('/.well-known/')
}

/**
 * Who is signed in, for the error page's header. Not when a dependency is down (the database may be
 * the one), and never failing: the error page must still be shown.
 */
async function signedInAccount(request: FastifyRequest, described: Described): Promise<HeaderAccount | undefined> {
  if (described.status === 503) return undefined
  try {
    return await headerAccount(request)
  } catch {
    return undefined
  }
}

function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0]
  if (!first) return error.message
  const where = error.validationContext ?? 'request'
  const field = first.instancePath ? first.instancePath.slice(1).replace(/\//g, '.') : (first.params as { missingProperty?: string })?.missingProperty
  if (first.keyword === 'required') return `The ${where} is missing "${(first.params as { missingProperty: string }).missingProperty}"`
  if (first.keyword === 'additionalProperties') return `The ${where} has an unknown field "${(first.params as { additionalProperty: string }).additionalProperty}"`
  return field ? `"${field}" in the ${where} ${first.message}` : `The ${where} ${first.message}`
}

/**
 * RFC 6749 defines no error value for "too many attempts"; `temporarily_unavailable` is the
 * registered value that tells a client to try again later, which is what it must do, while
 * `invalid_request` would tell it to fix a request that is not wrong and an unregistered value
 * would mean nothing to generic clients. The 429 status and `Retry-After` carry the rest.
 */
function tooManyAttempts(error: TooManyAttemptsError): Described {
  return {
    status: 429,
    oauthError: 'temporarily_unavailable',
    code: error.code,
    message: error.message,
    headers: { 'retry-after': String(error.retryAfterSeconds) },
  }
}

function titleFor(status: number): string {
  if (status === 429) return 'Too many attempts'
  if (status === 404) return 'Not found'
  if (status === 403) return 'Not allowed'
  if (status === 503) return 'Temporarily unavailable'
  if (status >= 500) return 'Something went wrong'
  return 'This request cannot be completed'
}

function quoted(value: string): string {
  return value.replace(/["\\]/g, "'")
}

/**
 * Errors Fastify meets before routing (a malformed URL, a bad Content-Type header): no route, so no
 * route format; answered in the API's shape instead of Fastify's own, or as a page to a browser.
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400
  void send(request, reply, { status, oauthError: 'invalid_request', code: error.code ?? 'ERR_BAD_REQUEST', message: error.message, headers: {} })
}
