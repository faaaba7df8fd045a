import type { FastifyInstance } from 'fastify'
import { requireSignedIn, verifyCsrf } from '../web/index.js'
import type { AccountAdminDeps } from './accounts.service.js'
import { appRoutes } from './apps.routes.js'
import { requireAdmin } from './require-admin.js'
import { userRoutes } from './users.routes.js'
import { workspaceRoutes } from './workspaces.routes.js'

/**
 * The admin console under /settings/admin/: users, apps and workspaces. Every route here is behind
 * the same checks, in one hook list for the whole scope: someone signed in (a browser that is not
 * is sent to sign in), an administrator (anyone else gets a 403 page saying so), and for anything
 * but a read, the form's CSRF token and origin.
 */
export async function adminRoutes(scope: FastifyInstance): Promise<void> {
  const deps: AccountAdminDeps = {
    db: scope.db,
    clock: scope.clock,
    accessTokenTtlSeconds: scope.config.accessTokenTtlSeconds,
    revocations: scope.revocations,
  }

  scope.addHook('preHandler', requireSignedIn)
  scope.addHook('preHandler', requireAdmin)
  scope.addHook('preHandler', async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') await verifyCsrf(request)
  })

  await scope.register(userRoutes, { deps })
  await scope.register(appRoutes, { deps })
  await scope.register(workspaceRoutes, { deps })
}
