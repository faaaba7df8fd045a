import type { FastifyInstance } from 'fastify'
import type { TokenExtensions } from '../oauth/index.js'

export interface InstallationsOptions {
  /** The token endpoint's extensions: the JWT grant and user impersonation join here. */
  tokenExtensions: TokenExtensions
}

/**
 * Installed apps: descriptors, installations into workspaces, signed lifecycle callbacks, the app
 * JWT at the gate, the JWT and jwt-bearer grants, progressive enforcement, site import. Each part
 * registers itself below; registered after `oauth`, `gateway` and `connectKeys`, whose decorations it uses.
 */
export async function installations(server: FastifyInstance, options: InstallationsOptions): Promise<void> {
  void server
  void options
  // lifecycle (descriptors, callbacks, installations): registered here
  // app → API (app JWT, JWT grant, impersonation, enforcements): registered here
  // site import and the demo vendor app: registered here
}
