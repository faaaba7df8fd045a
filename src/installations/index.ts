import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { TokenExtensions } from '../oauth/index.js'
import { appApi } from './app-api.js'
import { installationPages } from './installations.page-routes.js'
import { installationsApi } from './installations.api.js'
import { lifecycle } from './lifecycle.js'

export interface InstallationsOptions {
  /** The token endpoint's extensions: the JWT grant and user impersonation join here. */
  tokenExtensions: TokenExtensions
}

/**
 * Installed apps: descriptors, installations into workspaces, signed lifecycle callbacks, the app
 * JWT at the gate, the JWT and jwt-bearer grants, progressive enforcement, site import. Each part
 * registers itself below, with hooks only in its own scopes (this plugin shares the root's, so
 * `server.installedApps` is seen by all); registered after `oauth`, `gateway` and `connectKeys`, whose decorations it uses.
 */
export const installations = fp(installedApps, { name: 'gatehouse-installations', dependencies: ['gatehouse-core', 'gatehouse-connect-keys'] })

async function installedApps(server: FastifyInstance, options: InstallationsOptions): Promise<void> {
  await lifecycle(server)
  // Described in the sample platform's OpenAPI document; a platform behind GATEHOUSE_UPSTREAM has its own API.
  if (!server.config.upstreamUrl) await server.register(installationsApi)
  // app → API (app JWT, JWT grant, impersonation, enforcements)
  await server.register(appApi, { tokenExtensions: options.tokenExtensions })
  // site import and the demo vendor app: registered here
  await server.register(installationPages)
}
