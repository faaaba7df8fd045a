import type { FastifyInstance } from 'fastify'
import { pageScope } from '../web/index.js'
import { LABS_PATH } from './labs.page.js'
import { labsRoutes } from './labs.routes.js'

// What other capabilities use: the embedded-app request bridge asks whether explicit consent applies.
export { EXPLICIT_CONSENT_FLAG, EXPLICIT_CONSENT_VENDOR_FLAG, FEATURE_FLAGS, type FeatureFlag } from './flags.js'
export { explicitConsentApplies, isEnabledFor, listFlagsFor, setFlag, type ExplicitConsentDeps, type LabsDeps, type ListedFlag } from './labs.service.js'
export { LABS_PATH } from './labs.page.js'

/** Account → Labs: named feature flags an account opts in to, beside the deployment-wide modes. */
export async function labs(server: FastifyInstance): Promise<void> {
  server.settingsNav.add({ group: 'Account', label: 'Labs', path: LABS_PATH })
  await pageScope(server)
  await server.register(labsRoutes)
}
