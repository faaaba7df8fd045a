import type { FastifyInstance } from 'fastify'
import { pageScope } from '../web/index.js'
import { adminRoutes } from './admin.routes.js'
import { APPS_PATH } from './pages/apps.js'
import { USERS_PATH } from './pages/users.js'
import { WORKSPACES_PATH } from './pages/workspaces.js'

/** The admin console (session-authenticated pages and forms); the CLI runs the same services. */
export async function adminPages(server: FastifyInstance): Promise<void> {
  server.settingsNav.add({ group: 'Admin', label: 'Users', path: USERS_PATH, adminOnly: true })
  server.settingsNav.add({ group: 'Admin', label: 'Apps', path: APPS_PATH, adminOnly: true })
  server.settingsNav.add({ group: 'Admin', label: 'Workspaces', path: WORKSPACES_PATH, adminOnly: true })
  await pageScope(server)
  await server.register(adminRoutes)
}
