import type { FastifyInstance, preHandlerHookHandler } from 'fastify'
import { NotFoundError } from '../errors.js'
import { pageScope, requireSignedIn, sendSettingsPage } from '../web/index.js'
import { adminDecisionsPage, ADMIN_APPS_PATH } from './admin-decisions.page.js'
import { findAppByClientId } from './app-authorizations.queries.js'
import { adminDecisionsSchema, type AppParams } from './app-authorizations.schemas.js'
import { listDecisionsOfApp } from './decisions.service.js'

export interface AdminDecisionsOptions {
  /** The admin console's rule (src/admin/require-admin.ts), handed in by server.ts so consent/ does not import admin/. */
  requireAdmin: preHandlerHookHandler
}

/** Admin → Apps → an app's decisions: the counts of approvals and denials, and who decided what. */
export async function adminDecisionPages(server: FastifyInstance, { requireAdmin }: AdminDecisionsOptions): Promise<void> {
  await pageScope(server)
  server.get<{ Params: AppParams }>(
    `${ADMIN_APPS_PATH}/:client_id/decisions`,
    { schema: adminDecisionsSchema, preHandler: [requireSignedIn, requireAdmin], config: { errorFormat: 'page' } },
    async (request, reply) => {
      const app = await findAppByClientId(server.db, request.params.client_id)
      if (!app) throw new NotFoundError('There is no app with this client ID')
      const { allowed, denied, decisions } = await listDecisionsOfApp(server.db, app.id)
      const page = adminDecisionsPage({ app: { clientId: app.client_id, name: app.name }, allowed, denied, decisions, catalogue: server.apiDescription.scopes, now: server.clock.now() })
      return sendSettingsPage(request, reply, page)
    },
  )
}
