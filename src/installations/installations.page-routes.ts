import type { FastifyInstance } from 'fastify'
import { pageScope } from '../web/index.js'
import { DEVELOPER_APPS_PATH, ENFORCEMENTS_PATH, WORKSPACES_PATH } from './console.pages.js'
import { developerAppRoutes } from './developer-apps.page-routes.js'
import { enforcementPageRoutes } from './enforcements.page-routes.js'
import { workspaceAppRoutes } from './workspace-apps.page-routes.js'

/**
 * The console pages of installed apps, in a page scope of their own (cookies, helmet's headers):
 * Workspaces (a workspace's apps, installing, their pages inside the platform), Developer →
 * Installed apps (descriptors, installations, callbacks, reports) and Admin → Enforcements.
 */
export async function installationPages(server: FastifyInstance): Promise<void> {
  server.settingsNav.add({ group: 'Workspaces', label: 'Your workspaces', path: WORKSPACES_PATH })
  server.settingsNav.add({ group: 'Developer', label: 'Installed apps', path: DEVELOPER_APPS_PATH })
  server.settingsNav.add({ group: 'Admin', label: 'Enforcements', path: ENFORCEMENTS_PATH, adminOnly: true })
  await pageScope(server)
  await server.register(workspaceAppRoutes)
  await server.register(developerAppRoutes)
  await server.register(enforcementPageRoutes)
}
