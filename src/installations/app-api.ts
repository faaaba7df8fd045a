import type { FastifyInstance } from 'fastify'
import type { TokenExtensions } from '../oauth/index.js'
import { AppJwtAuthenticator } from './app-jwt.authenticator.js'
import { AppJwtVerifier } from './app-jwt.verifier.js'
import { enforcementReportRoutes, reconsentRoutes } from './enforcements.routes.js'
import { ImpersonationGrant } from './impersonation-grant.js'
import { InstallationDirectory } from './installation-directory.js'
import { JwtGrant } from './jwt-grant.js'

/**
 * App → API: how an installed app calls the platform. The app JWT at the gate, the JWT grant and
 * user impersonation at the token endpoint, and the vendor's enforcement reports; one directory of
 * installations (briefly cached) serves them all.
 */
export async function appApi(server: FastifyInstance, { tokenExtensions }: { tokenExtensions: TokenExtensions }): Promise<void> {
  const { db, clock, config } = server
  const directory = new InstallationDirectory({ db, clock, keyring: server.keyEncryption.keyring })
  // Installing, uninstalling, disabling or rotating in any process announces the app as changed.
  const stopListening = server.revocations.onAppChanged(() => directory.forgetAll())
  server.addHook('onClose', async () => stopListening())

  const verifier = new AppJwtVerifier({ directory, clock, issuer: config.issuer })
  server.gate.add(new AppJwtAuthenticator(verifier))
  tokenExtensions.add(new JwtGrant(verifier))
  tokenExtensions.add(new ImpersonationGrant({ directory, clock, issuer: config.issuer }))
  await server.register(enforcementReportRoutes, { verifier })
  await server.register(reconsentRoutes, { verifier })
}
