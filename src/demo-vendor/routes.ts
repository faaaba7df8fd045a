import { readFileSync } from 'node:fs'
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify'
import type { Clock } from '../domain/clock.js'
import type { LifecycleEvent } from '../domain/descriptor.js'
import { CallbackVerifier } from './callback-verifier.js'
import { DEMO_VENDOR_KEY, demoVendorDescriptor, LIFECYCLE_PATHS, PROXY_USER_PATH, REPORTS_PAGE } from './descriptor.js'
import { findIn, MAX_CALLS, type CallRecord, type InstallationStore, type VendorInstallation } from './installation-store.js'
import { applyLifecycle, readPayload } from './lifecycle.js'
import { formToken, verifyFormToken, verifyPageContext } from './page-context.js'
import { errorPage, reportsPage, STYLESHEET } from './pages.js'
import { callAsUser, callWithAppJwt, callWithJwtGrant, workspaceFrom, type PlatformCallOptions } from './platform-calls.js'
import { userFromPlatform } from './proxy.js'
import { VendorError } from './vendor-errors.js'

/** The page's own script (AP.request and AP.proxyRequest, with the consent error codes handled). */
const PAGE_SCRIPT = readFileSync(new URL('./assets/reports.js', import.meta.url))

export interface VendorRouteOptions {
  platformUrl: string
  basePath: string
  appBaseUrl: string
  store: InstallationStore
  clock: Clock
}

const CALLS = { 'app-jwt': callWithAppJwt, 'jwt-grant': callWithJwtGrant, impersonation: callAsUser } as const
type CallMethod = keyof typeof CALLS

const pageQuery = { type: 'object', properties: { jwt: { type: 'string', maxLength: 8192 } } } as const
const callBody = {
  type: 'object',
  properties: { token: { type: 'string', maxLength: 2048 }, method: { type: 'string', enum: Object.keys(CALLS) } },
  required: ['token', 'method'],
} as const

/**
 * The vendor's routes, under its basePath. Its headers are its own (it is not one of Gatehouse's
 * page scopes, and takes no helmet): everything it answers may be framed by the platform alone, and
 * its pages load nothing but its stylesheet and post nowhere but back to it.
 */
export async function vendorRoutes(server: FastifyInstance, options: VendorRouteOptions): Promise<void> {
  const headers = vendorHeaders(options)
  server.addHook('onRequest', async (_request, reply) => {
    reply.headers(headers)
  })

  server.get('/descriptor.json', async () => demoVendorDescriptor(options.platformUrl, options.basePath, options.appBaseUrl))
  server.get('/assets/vendor.css', async (_request, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(STYLESHEET))
  server.get('/assets/reports.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(PAGE_SCRIPT))
  // Not `options` itself: it carries the `prefix` this scope was registered with, which would apply twice.
  const shared: VendorRouteOptions = { platformUrl: options.platformUrl, basePath: options.basePath, appBaseUrl: options.appBaseUrl, store: options.store, clock: options.clock }
  await server.register(lifecycleRoutes, shared)
  await server.register(pageRoutes, shared)
  await server.register(proxyRoutes, shared)
}

/**
 * AP.proxyRequest's other end: the platform's page sends the request here with
 * `Authorization: Bearer <token>`, a token acting as the person using the page, which this server
 * uses to call the API. The page is on the platform's origin, so that origin (only) may read the
 * answer (CORS), and send the Authorization header (the preflight).
 */
async function proxyRoutes(server: FastifyInstance, options: VendorRouteOptions): Promise<void> {
  const platform = new URL(options.platformUrl).origin
  server.setErrorHandler((error: FastifyError, _request, reply) => {
    const refusal = refusalOf(error)
    if (!refusal) throw error
    return reply.code(refusal.status).send({ error: { code: refusal.code, message: refusal.message } })
  })
  server.addHook('onRequest', async (request, reply) => {
    if (request.headers.origin === platform) reply.header('access-control-allow-origin', platform).header('vary', 'Origin')
  })
  server.options(PROXY_USER_PATH, async (_request, reply) => {
    return reply.code(204).header('access-control-allow-methods', 'GET').header('access-control-allow-headers', 'authorization, accept').header('access-control-max-age', '600').send()
  })
  server.get(PROXY_USER_PATH, async (request) => userFromPlatform(request.headers.authorization, options.platformUrl))
}

/** The lifecycle callbacks: verified, applied, acknowledged with 204; refused in JSON. */
async function lifecycleRoutes(server: FastifyInstance, options: VendorRouteOptions): Promise<void> {
  const verifier = new CallbackVerifier({ platformUrl: options.platformUrl, appBaseUrl: options.appBaseUrl, basePath: options.basePath, clock: options.clock })
  server.setErrorHandler((error: FastifyError, request, reply) => {
    const refusal = refusalOf(error)
    if (!refusal) throw error
    if (refusal.status === 401) reply.header('www-authenticate', `JWT realm="${DEMO_VENDOR_KEY}"`)
    request.log.info({ refusal: refusal.message }, 'demo vendor refused a lifecycle callback')
    return reply.code(refusal.status).send({ error: { code: refusal.code, message: refusal.message } })
  })

  for (const [event, path] of Object.entries(LIFECYCLE_PATHS) as [LifecycleEvent, string][]) {
    server.post(path, async (request, reply) => {
      await verifier.verify({ method: request.method, url: request.url, authorization: request.headers.authorization })
      const payload = readPayload(event, request.body, { appKey: DEMO_VENDOR_KEY, platformUrl: options.platformUrl })
      await applyLifecycle(options.store, payload, options.clock.now())
      return reply.code(204).send()
    })
  }
}

/** The page module, and its forms that call the API. */
async function pageRoutes(server: FastifyInstance, options: VendorRouteOptions): Promise<void> {
  const contextOptions = { appKey: DEMO_VENDOR_KEY, store: options.store, basePath: options.basePath, clock: options.clock }
  const platform: PlatformCallOptions = { platformUrl: options.platformUrl, clock: options.clock }
  server.setErrorHandler((error: FastifyError, _request, reply) => {
    const refusal = refusalOf(error)
    if (!refusal) throw error
    return reply.code(refusal.status).type('text/html; charset=utf-8').send(errorPage(options.basePath, refusal.message))
  })

  server.get<{ Querystring: { jwt?: string } }>(REPORTS_PAGE.url, { schema: { querystring: pageQuery } }, async (request, reply) => {
    const viewer = await verifyPageContext(request.query.jwt, request, contextOptions)
    return sendPage(reply, viewer)
  })

  server.post<{ Body: { token: string; method: CallMethod } }>(`${REPORTS_PAGE.url}/calls`, { schema: { body: callBody } }, async (request, reply) => {
    const viewer = await verifyFormToken(request.body.token, { ...contextOptions, formKey: options.store.formKey })
    const call = await CALLS[request.body.method](viewer.installation, viewer.userId, platform)
    const installation = await recordCall(options.store, viewer.installation.clientKey, call)
    return sendPage(reply, { installation: installation ?? viewer.installation, userId: viewer.userId }, call)
  })

  async function sendPage(reply: FastifyReply, viewer: { installation: VendorInstallation; userId: string }, latest?: CallRecord) {
    const token = await formToken(viewer, { formKey: options.store.formKey, clock: options.clock })
    return reply
      .type('text/html; charset=utf-8')
      .send(reportsPage({ basePath: options.basePath, platformUrl: options.platformUrl, proxyPath: PROXY_USER_PATH, installation: viewer.installation, userId: viewer.userId, formToken: token, latest }))
  }
}

/** Keeps the call with the installation (its data), and the workspace an app-JWT call revealed. */
function recordCall(store: InstallationStore, clientKey: string, call: CallRecord): Promise<VendorInstallation | undefined> {
  return store.update((data) => {
    const installation = findIn(data, clientKey)
    if (!installation) return undefined
    installation.calls = [call, ...installation.calls].slice(0, MAX_CALLS)
    installation.workspace = workspaceFrom(call) ?? installation.workspace
    return installation
  })
}

/** A refusal this app answers itself; anything else goes on to Gatehouse's error handler. */
function refusalOf(error: FastifyError): { status: number; code: string; message: string } | undefined {
  if (error instanceof VendorError) return error
  if (error.validation) return { status: 400, code: 'invalid_request', message: error.message }
  return undefined
}

function vendorHeaders(options: Pick<VendorRouteOptions, 'platformUrl' | 'appBaseUrl'>): Record<string, string> {
  const platform = new URL(options.platformUrl).origin
  const vendor = new URL(options.appBaseUrl).origin
  return {
    'content-security-policy': [
      "default-src 'none'",
      `style-src ${vendor}`,
      // Gatehouse's connect/all.js and the page's own script, nothing else.
      `script-src ${options.platformUrl}/connect/all.js ${options.appBaseUrl}/assets/reports.js`,
      `form-action ${vendor}`,
      // Only the platform may show the page module in a frame.
      `frame-ancestors ${platform}`,
      "base-uri 'none'",
    ].join('; '),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // The page's URL carries the context token: it is sent nowhere.
    'referrer-policy': 'no-referrer',
  }
}
