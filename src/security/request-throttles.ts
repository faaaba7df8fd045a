import type { FastifyInstance, FastifyRequest } from 'fastify'
import { addressKey } from '../domain/client-address.js'
import { describeWait } from '../domain/failure-lock.js'
import { InvalidTokenError, OAuthError, TooManyAttemptsError } from '../errors.js'
import type { FailureThrottle } from './failure-throttle.js'

/**
 * Per-address throttles attached as hooks, so neither the client authenticator nor the gate needs
 * to know about them: an `onRequest` check refuses a locked address before any work is done, and an
 * `onError` hook counts the failures (errors only, so a successful request never pays for it).
 * The check is a size test while no address is locked, and a map look-up otherwise.
 */

/**
 * Failed client authentications (`invalid_client`) on the token, introspection and revocation
 * endpoints, counted per address. Not per client_id: client_ids are public, so a per-client lock
 * would let anyone lock a working integration out, and a 256-bit secret cannot be guessed anyway;
 * what the throttle protects is the server's work (a database look-up per attempt) and client_id
 * enumeration. Register inside the scope of those routes; `paths` are the routes it guards.
 */
export function throttleClientAuthentication(scope: FastifyInstance, throttle: FailureThrottle | undefined, paths: readonly string[]): void {
  if (!throttle) return
  const guarded = new Set(paths)
  scope.addHook('onRequest', (request, _reply, done) => {
    if (!throttle.hasLocks || !guarded.has(request.routeOptions.url ?? '')) return done()
    const wait = throttle.lockedFor(addressOf(request))
    done(wait > 0 ? new TooManyAttemptsError(`Too many failed client authentications from this address; try again in ${describeWait(wait)}`, wait) : undefined)
  })
  scope.addHook('onError', async (request, _reply, error) => {
    if (!(error instanceof OAuthError && error.error === 'invalid_client') || !guarded.has(request.routeOptions.url ?? '')) return
    await countFailure(request, throttle)
  })
}

/**
 * Requests to the API (`/2.0/…`) whose bearer token was refused as invalid (RFC 6750 `invalid_token`:
 * malformed, forged, expired, revoked), counted per address. A missing token is not a guess and is
 * not counted. Registered at the root, so the check runs before the gate verifies anything;
 * `refusalHeaders` are the API's own response headers, which a refusal there carries too.
 */
export function throttleInvalidTokens(
  server: FastifyInstance,
  throttle: FailureThrottle | undefined,
  { apiBasePath, refusalHeaders }: { apiBasePath: string; refusalHeaders: Record<string, string> },
): void {
  if (!throttle) return
  const isApi = (url: string) => url.startsWith(apiBasePath) && (url.length === apiBasePath.length || '/?'.includes(url[apiBasePath.length]))
  server.addHook('onRequest', (request, reply, done) => {
    if (!throttle.hasLocks || !isApi(request.url)) return done()
    const wait = throttle.lockedFor(addressOf(request))
    if (wait === 0) return done()
    reply.headers(refusalHeaders)
    done(new TooManyAttemptsError(`Too many requests with invalid access tokens from this address; try again in ${describeWait(wait)}`, wait))
  })
  server.addHook('onError', async (request, _reply, error) => {
    if (error instanceof InvalidTokenError && isApi(request.url)) await countFailure(request, throttle)
  })
}

function addressOf(request: FastifyRequest): string {
  return addressKey(request.ip ?? request.socket.remoteAddress ?? 'unknown')
}

// Counting must never turn the answer into a 500: a store that cannot count is logged and skipped.
async function countFailure(request: FastifyRequest, throttle: FailureThrottle): Promise<void> {
  try {
    await throttle.fail(addressOf(request))
  } catch (error) {
    request.log.warn({ err: error }, 'a failure could not be counted for throttling')
  }
}
