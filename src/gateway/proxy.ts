import replyFrom from '@fastify/reply-from'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { IncomingHttpHeaders } from 'node:http'
import { formatScope } from '../domain/scopes.js'
import { BadRequestError, UpstreamError } from '../errors.js'
import { API_BASE_PATH, routePath } from './api-description.js'
import { PROXIED_RESPONSE_HEADERS, UPSTREAM_HEADERS_DROPPED } from './api-headers.js'
import type { Identity } from './identity.js'

/** The headers the upstream may trust: set only by Gatehouse, after stripping any the caller sent. */
export const IDENTITY_HEADERS = {
  userId: 'x-gatehouse-user-id',
  clientId: 'x-gatehouse-client-id',
  scopes: 'x-gatehouse-scopes',
} as const

const IDENTITY_HEADER_PREFIX = 'x-gatehouse-'

/**
 * Forwards each operation of the upstream's OpenAPI document, once the gate
 * has admitted it, to the same path under `upstreamUrl`. The caller's
 * credentials stay here; the upstream learns who is calling from the identity headers.
 */
export async function upstreamProxy(server: FastifyInstance, { upstreamUrl }: { upstreamUrl: string }): Promise<void> {
  const upstream = new URL(upstreamUrl)
  const basePath = upstream.pathname.replace(/\/+$/, '')
  await server.register(replyFrom, { base: upstream.origin, disableRequestLogging: true })

  // Bodies pass through as they came: the upstream validates its own payloads.
  server.removeAllContentTypeParsers()
  server.addContentTypeParser('*', (_request, payload, done) => done(null, payload))

  const forward = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.slice(API_BASE_PATH.length)
    assertPlainPath(path)
    return reply.from(basePath + path, {
      rewriteRequestHeaders: (_request, headers) => withIdentity(headers, request.identity),
      rewriteHeaders: (headers) => fromUpstream(headers),
      onError: (failed, { error }) => failed.send(upstreamFailure(error as Error & { statusCode?: number })),
    })
  }

  for (const operation of server.apiDescription.operations) {
    server.route({
      method: operation.method,
      url: routePath(operation.path),
      config: { operationId: operation.operationId },
      // The document says which methods exist; HEAD is forwarded only if it lists HEAD.
      exposeHeadRoute: false,
      handler: forward,
    })
  }
}

/** The request headers for the upstream: no caller credentials, no caller-made identity headers, ours added. */
export function withIdentity(headers: IncomingHttpHeaders, identity: Identity | null): IncomingHttpHeaders {
  delete headers.authorization
  // The session cookie authenticates people to Gatehouse; the upstream has no use for it.
  delete headers.cookie
  // CGI-style upstreams (PHP, WSGI, Django) read `X_Gatehouse_User_Id` as `x-gatehouse-user-id`.
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase().replaceAll('_', '-').startsWith(IDENTITY_HEADER_PREFIX)) delete headers[name]
  }
  if (identity) {
    headers[IDENTITY_HEADERS.userId] = identity.userId
    headers[IDENTITY_HEADERS.clientId] = identity.clientId
    headers[IDENTITY_HEADERS.scopes] = formatScope(identity.scopes)
  }
  return headers
}

/** The response headers for the caller: the upstream's, without cookies for our origin, under our content policy. */
export function fromUpstream<Headers extends IncomingHttpHeaders>(headers: Headers): Headers {
  for (const name of Object.keys(headers)) {
    const lower = name.toLowerCase()
    if (UPSTREAM_HEADERS_DROPPED.has(lower) || Object.hasOwn(PROXIED_RESPONSE_HEADERS, lower)) delete headers[name]
  }
  return Object.assign(headers, PROXIED_RESPONSE_HEADERS)
}

/** A "." or ".." segment would let the upstream resolve another operation than the one the gate checked. */
function assertPlainPath(url: string): void {
  let path: string
  try {
    path = decodeURIComponent(url.split('?')[0])
  } catch {
    throw new BadRequestError('The path has a malformed percent-escape')
  }
  if (path.split(/[/\\]/).some((segment) => segment === '.' || segment === '..')) {
    throw new BadRequestError('The path may not contain "." or ".." segments')
  }
}

function upstreamFailure(error: Error & { statusCode?: number }): UpstreamError {
  if (error.statusCode === 504) return new UpstreamError('The API did not answer in time', 504)
  return new UpstreamError('The API is unreachable; try again later', 502)
}
