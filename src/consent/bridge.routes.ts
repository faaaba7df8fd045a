import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { GatehouseError } from '../errors.js'
import { currentUser, verifyCsrf, type SessionUser } from '../web/index.js'
import { bridgeDecisionSchema, bridgeTokenSchema, type BridgeDecisionBody, type BridgeTokenBody } from './bridge.schemas.js'
import { recordAnswer, requestToken, type BridgeAnswer, type BridgeDeps, type FindEmbeddedInstallation } from './bridge.service.js'

export interface BridgeRouteOptions {
  /** Finds the installation the host page shows, as the signed-in user may use it. */
  findInstallation: FindEmbeddedInstallation
}

interface Asset {
  body: Buffer
  type: string
  etag: string
  cacheControl: string
}

function asset(file: string, type: string, maxAgeSeconds: number): Asset {
  const body = readFileSync(new URL(`../web/assets/${file}`, import.meta.url))
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`, cacheControl: `public, max-age=${maxAgeSeconds}` }
}

/**
 * `/connect/all.js` is loaded by apps' pages on other origins (and by the demo's sandboxed frame, an
 * opaque origin), so it is served for cross-origin use; an hour's cache, since apps cannot version
 * its URL. The host page's script and stylesheet are ordinary same-origin assets.
 */
const ASSETS: Record<string, Asset & { crossOrigin?: boolean }> = {
  '/connect/all.js': { ...asset('connect-all.js', 'text/javascript; charset=utf-8', 3600), crossOrigin: true },
  '/assets/gatehouse-bridge.js': asset('gatehouse-bridge.js', 'text/javascript; charset=utf-8', 86400),
  '/assets/gatehouse-bridge.css': asset('gatehouse-bridge.css', 'text/css; charset=utf-8', 86400),
}

/**
 * The request bridge: the scripts, and the host page's two JSON endpoints. Both need the session
 * (the host page's cookie), its CSRF token, and the installation the page shows, which the user
 * must be able to use (a member of its workspace, the app installed and enabled there). Registered
 * in a page scope (cookies), by the page that shows page modules.
 */
export async function bridgeRoutes(server: FastifyInstance, options: BridgeRouteOptions): Promise<void> {
  const deps: BridgeDeps = {
    consent: server.consent,
    explicitConsent: { db: server.db, mode: server.config.explicitConsent },
    catalogue: server.apiDescription.scopes,
  }
  const guarded = [requireSession, verifyCsrf]

  for (const [path, file] of Object.entries(ASSETS)) {
    server.get(path, { config: { errorFormat: 'page' } }, async (request, reply) => sendAsset(request, reply, file))
  }

  server.post<{ Body: BridgeTokenBody }>('/connect/bridge/token', { schema: bridgeTokenSchema, preHandler: guarded }, async (request, reply) => {
    const { user, installation } = await shownInstallation(request)
    return answer(reply, await requestToken(deps, installation, user))
  })

  server.post<{ Body: BridgeDecisionBody }>('/connect/bridge/decision', { schema: bridgeDecisionSchema, preHandler: guarded }, async (request, reply) => {
    const { user, installation } = await shownInstallation(request)
    return answer(reply, await recordAnswer(deps, installation, user, { decision: request.body.decision, scopes: request.body.scopes }))
  })

  async function shownInstallation(request: FastifyRequest<{ Body: BridgeTokenBody }>) {
    const user = await signedIn(request)
    return { user, installation: await options.findInstallation(user, request.body.workspace, request.body.app) }
  }
}

/** A token is a credential: never cached, by the browser or anything between. */
function answer(reply: FastifyReply, result: BridgeAnswer): BridgeAnswer {
  reply.header('cache-control', 'no-store')
  return result
}

function sendAsset(request: FastifyRequest, reply: FastifyReply, file: Asset & { crossOrigin?: boolean }): FastifyReply {
  reply.header('cache-control', file.cacheControl).header('etag', file.etag)
  // Helmet's same-origin resource policy would stop other origins' pages from running it.
  if (file.crossOrigin) reply.header('cross-origin-resource-policy', 'cross-origin')
  if (request.headers['if-none-match'] === file.etag) return reply.code(304).send()
  return reply.type(file.type).send(file.body)
}

/** JSON endpoints answer 401, not a redirect to the sign-in page, when the session is gone. */
async function requireSession(request: FastifyRequest): Promise<void> {
  if (!(await currentUser(request))) throw new GatehouseError('ERR_UNAUTHENTICATED', 'Your Gatehouse session has ended: sign in again and reload the page', 401)
}

async function signedIn(request: FastifyRequest): Promise<SessionUser> {
  const user = await currentUser(request)
  if (!user) throw new Error('a bridge route ran without requireSession')
  return user
}
