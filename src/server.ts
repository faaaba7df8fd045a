import formbody from '@fastify/formbody'
import Fastify, { LogController, type FastifyInstance } from 'fastify'
import type { Config } from './config.js'
import { adminPages } from './admin/index.js'
import { requireAdmin } from './admin/require-admin.js'
import { consumerPages } from './consumers/index.js'
import { connectKeys } from './apps/connect-keys.routes.js'
import { adminDecisionPages } from './consent/admin-decisions.routes.js'
import { appAuthorizationPages } from './consent/app-authorizations.routes.js'
import { consent } from './consent/index.js'
import { core, type CoreOptions } from './core.js'
import { demoVendorApp, demoVendorDataDir } from './demo-vendor/index.js'
import { demoSeedDecision } from './domain/demo-seed-policy.js'
import { fastifyTrustProxy } from './domain/proxy-trust.js'
import { apiDescription } from './gateway/api-description.js'
import { gateway } from './gateway/index.js'
import { healthRoutes } from './health/health.routes.js'
import { installations } from './installations/index.js'
import { labs } from './labs/index.js'
import { metrics } from './metrics.js'
import { appSignedInFor, oauth, TokenExtensions } from './oauth/index.js'
import { platformApi } from './platform/index.js'
import { playground } from './playground/index.js'
import { sampleApi } from './platform/openapi.js'
import { scopes } from './scopes/index.js'
import { security } from './security/index.js'
import { frameworkErrorHandler, installErrorHandling } from './web/error-handler.js'
import { web } from './web/index.js'
import { settingsShell } from './web/settings-shell.js'

export type BuildOptions = Omit<CoreOptions, 'config'>

/** Builds the whole server; `server.ts` listens, tests `inject()` or listen on port 0. */
export async function buildServer(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  const server = Fastify({
    logger: { level: config.logLevel },
    // Never `true`: only the configured proxies (or hop count) may name the client's address.
    trustProxy: fastifyTrustProxy(config.trustProxy),
    // Request logs would dominate the gateway's cost; errors are still logged.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    bodyLimit: 256 * 1024,
    frameworkErrors: frameworkErrorHandler,
    routerOptions: { ignoreTrailingSlash: true },
  })
  installErrorHandling(server)

  await server.register(core, { config, ...options })
  await server.register(apiDescription, { builtIn: sampleApi })
  await server.register(formbody)
  // Throttles, the password-hashing limit and the request cap; before every route, whose hooks use them.
  await server.register(security)

  await server.register(metrics)
  await server.register(healthRoutes)
  // The settings area's navigation, before the capabilities that add their pages to it.
  await server.register(settingsShell)
  await server.register(web, { appSignedInFor: (returnTo: string) => appSignedInFor(server.db, returnTo) })
  await server.register(appAuthorizationPages)
  await server.register(labs)
  await server.register(consumerPages)
  await server.register(adminPages)
  await server.register(adminDecisionPages, { requireAdmin })
  // Installed apps' grants (app JWT, jwt-bearer) join the token endpoint here.
  const tokenExtensions = new TokenExtensions()
  // Stored consent decisions, which the authorization endpoint consults.
  await server.register(consent)
  await server.register(oauth, { tokenExtensions })
  await server.register(playground)
  await server.register(connectKeys)
  await server.register(gateway)
  await server.register(installations, { tokenExtensions })
  if (!config.upstreamUrl) await server.register(platformApi)
  await server.register(scopes)
  // The demo's installed app, served where the demo is seeded; it calls this server over HTTP like any vendor.
  if (demoSeedDecision(config).seed) await server.register(demoVendorApp, { platformUrl: config.issuer, dataDir: demoVendorDataDir(config.databaseUrl) })
  return server
}
