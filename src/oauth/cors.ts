import type { FastifyInstance, FastifyReply, FastifyRequest, onSendHookHandler } from 'fastify'
import { listEnabledRedirectUris } from '../apps/apps.queries.js'
import type { Clock } from '../domain/clock.js'
import type { Db } from '../store/database.js'
import { readClientCredentials } from './client-auth.js'

/**
 * The origins browser apps may call the authorization server from: those of the registered
 * redirect URIs of enabled apps, and nowhere else.
 *
 * Held in memory, so a CORS decision costs no query: reloaded when an app changes (the app-changed
 * notices of the revocation stream, from any process), every minute, and — at most once a second —
 * when an origin is not known yet (an app registered on another node a moment ago).
 */
export class BrowserOrigins {
  #byClient = new Map<string, ReadonlySet<string>>()
  #all: ReadonlySet<string> = new Set()
  #loading: Promise<void> | undefined
  #lastLoad = -Infinity
  #timer: NodeJS.Timeout | undefined

  constructor(
    private readonly deps: { db: Db; clock: Clock },
    private readonly options: { reloadEveryMs: number; missReloadMs: number } = { reloadEveryMs: 60_000, missReloadMs: 1000 },
  ) {}

  async start(): Promise<void> {
    await this.reload()
    this.#timer = setInterval(() => this.reload().catch(() => {}), this.options.reloadEveryMs)
    this.#timer.unref()
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  /** Reads every enabled app's origins afresh; concurrent calls share one read. */
  reload(): Promise<void> {
    this.#loading ??= this.load().finally(() => {
      this.#loading = undefined
    })
    return this.#loading
  }

  /** Whether any app registered a redirect URI on `origin` (preflights, and the public documents). */
  async allowsAny(origin: string): Promise<boolean> {
    return this.decide(() => this.#all.has(origin))
  }

  /** Whether the app `clientId` registered a redirect URI on `origin`. */
  async allows(clientId: string, origin: string): Promise<boolean> {
    return this.decide(() => this.#byClient.get(clientId)?.has(origin) === true)
  }

  /**
   * Answers from the origins as known, after any reload under way (an app just changed: a disabled
   * app's origins must not be allowed a moment longer). An origin not known yet triggers a reload,
   * at most once per `missReloadMs`, so unknown origins cannot make every request a query.
   */
  private async decide(allowed: () => boolean): Promise<boolean> {
    if (this.#loading) await this.#loading.catch(() => {})
    if (allowed()) return true
    if (this.deps.clock.now() - this.#lastLoad < this.options.missReloadMs) return false
    await this.reload().catch(() => {})
    return allowed()
  }

  private async load(): Promise<void> {
    this.#lastLoad = this.deps.clock.now()
    const byClient = new Map<string, ReadonlySet<string>>()
    const all = new Set<string>()
    for (const row of await listEnabledRedirectUris(this.deps.db)) {
      const origins = new Set<string>()
      for (const uri of JSON.parse(row.redirect_uris) as string[]) {
        const origin = webOrigin(uri)
        if (origin !== undefined) {
          origins.add(origin)
          all.add(origin)
        }
      }
      if (origins.size > 0) byClient.set(row.client_id, origins)
    }
    this.#byClient = byClient
    this.#all = all
  }
}

/** The origin a browser sends for pages at `uri`; undefined for private-use schemes (native apps), which have none. */
export function webOrigin(uri: string): string | undefined {
  try {
    const url = new URL(uri)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : undefined
  } catch {
    return undefined
  }
}

/**
 * Which endpoints answer cross-origin requests, and for whom:
 * - `document`: public GET documents (metadata, JWKS) — any registered origin;
 * - `client`: client-authenticated POST endpoints (token, revocation) — the origins of the app
 *   the request names. A preflight carries no body, so it is answered for any registered origin;
 *   the response itself then carries the header only for the calling app's own origins.
 */
export const CORS_ENDPOINTS: ReadonlyMap<string, 'document' | 'client'> = new Map([
  ['/.well-known/oauth-authorization-server', 'document'],
  ['/oauth/jwks.json', 'document'],
  ['/.well-known/jwks.json', 'document'],
  ['/oauth/token', 'client'],
  ['/oauth/revoke', 'client'],
])

const METHODS = { document: 'GET, HEAD', client: 'POST' } as const
const ALLOWED_HEADERS = 'authorization, content-type'
const EXPOSED_HEADERS = 'www-authenticate, retry-after'
const PREFLIGHT_MAX_AGE_SECONDS = 600

/**
 * CORS on the endpoints above, for the scope that serves them; call it before their routes are
 * registered. Their routes get an `onSend` hook (no edits inside their handlers), and each gets an
 * OPTIONS route for preflights. Every other route, here and elsewhere, sends no CORS header and
 * pays nothing for this.
 */
export function addCors(scope: FastifyInstance, origins: BrowserOrigins): void {
  scope.addHook('onRoute', (route) => {
    const kind = CORS_ENDPOINTS.get(route.url)
    if (kind === undefined || route.method === 'OPTIONS') return
    route.onSend = [...asArray(route.onSend), corsHeaders(origins, kind)]
  })
  for (const [url, kind] of CORS_ENDPOINTS) {
    scope.options(url, { config: { errorFormat: 'oauth' } }, async (request, reply) => preflight(origins, kind, request, reply))
  }
}

function corsHeaders(origins: BrowserOrigins, kind: 'document' | 'client'): onSendHookHandler {
  return (request, reply, payload, done) => {
    // The answer depends on Origin, so caches must keep one per origin.
    reply.header('vary', 'Origin')
    const origin = request.headers.origin
    // Servers and tools send no Origin: nothing to decide, and no await on the token endpoint's path.
    if (origin === undefined) return done(null, payload)
    const decision = kind === 'document' ? origins.allowsAny(origin) : allowsCaller(origins, request, origin)
    decision.then((allowed) => {
      if (allowed) reply.header('access-control-allow-origin', origin).header('access-control-expose-headers', EXPOSED_HEADERS)
      done(null, payload)
    }, (error: Error) => done(error))
  }
}

function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return []
  return Array.isArray(value) ? value : [value]
}

async function preflight(origins: BrowserOrigins, kind: 'document' | 'client', request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  reply.header('vary', 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers')
  const origin = request.headers.origin
  const method = request.headers['access-control-request-method']
  if (origin !== undefined && typeof method === 'string' && METHODS[kind].split(', ').includes(method) && (await origins.allowsAny(origin))) {
    reply.headers({
      'access-control-allow-origin': origin,
      'access-control-allow-methods': METHODS[kind],
      'access-control-allow-headers': ALLOWED_HEADERS,
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
    })
  }
  return reply.code(204).send()
}

/** The app a token or revocation request names (body or Basic), checked against the origin. */
async function allowsCaller(origins: BrowserOrigins, request: FastifyRequest, origin: string): Promise<boolean> {
  let clientId: string
  try {
    clientId = readClientCredentials(request.headers.authorization, (request.body ?? {}) as { client_id?: string; client_secret?: string }).clientId
  } catch {
    return false
  }
  return origins.allows(clientId, origin)
}
