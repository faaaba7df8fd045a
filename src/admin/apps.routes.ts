import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { GatehouseError } from '../errors.js'
import { csrfToken, sendSettingsPage } from '../web/index.js'
import { deleteApp, disableApp, enableApp, setAppVerified, type AccountAdminDeps } from './accounts.service.js'
import { appActionSchema, appListSchema, type ActionFormBody, type AppAction, type ListQuery } from './admin.schemas.js'
import { searchApps } from './console.queries.js'
import { APPS_PATH, appListPage } from './pages/apps.js'
import { listUrl, listWindow } from './pages/components.js'
import { refusalOf } from './refusal.js'

const PAGE = { errorFormat: 'page' } as const

const RUN: Record<AppAction, (deps: AccountAdminDeps, clientId: string) => Promise<{ name: string }>> = {
  disable: disableApp,
  enable: enableApp,
  delete: deleteApp,
  verify: (deps, clientId) => setAppVerified(deps, clientId, true),
  unverify: (deps, clientId) => setAppVerified(deps, clientId, false),
}

/** Apps: the searchable list of every app and its row actions. */
export async function appRoutes(scope: FastifyInstance, { deps }: { deps: AccountAdminDeps }): Promise<void> {
  async function sendList(request: FastifyRequest, reply: FastifyReply, query: ListQuery<AppAction>, refusal?: GatehouseError): Promise<FastifyReply> {
    const { rows, total } = await searchApps(deps.db, query.q?.trim() ?? '', listWindow(query.page))
    const page = appListPage({ query, rows, total, csrfToken: csrfToken(request), error: refusal?.message })
    return sendSettingsPage(request, reply, { ...page, status: refusal?.status })
  }

  scope.get<{ Querystring: ListQuery<AppAction> }>(APPS_PATH, { schema: appListSchema, config: PAGE }, (request, reply) => sendList(request, reply, request.query))

  scope.post<{ Params: { client_id: string; action: AppAction }; Body: ActionFormBody }>(`${APPS_PATH}/:client_id/:action`, { schema: appActionSchema, config: PAGE }, async (request, reply) => {
    const { client_id: clientId, action } = request.params
    const state = { q: request.body.q, page: request.body.page }
    let name: string
    try {
      ;({ name } = await RUN[action](deps, clientId))
    } catch (error) {
      const refusal = refusalOf(error)
      if (!refusal) throw error
      return sendList(request, reply, state, refusal)
    }
    return reply.redirect(listUrl(APPS_PATH, { ...state, done: action, name }), 303)
  })
}
