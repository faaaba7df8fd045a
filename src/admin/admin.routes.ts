import type { FastifyInstance, FastifyReply } from 'fastify'
import { html } from '../web/html.js'
import { verifyCsrf } from '../web/index.js'
import { layout, sendPage } from '../web/layout.js'
import { deleteApp, deleteUser, disableApp, disableUser, enableApp, enableUser, type AccountAdminDeps } from './accounts.service.js'
import { appActionSchema, userActionSchema, type AdminAction, type AdminFormBody } from './admin.schemas.js'
import { requireAdmin } from './require-admin.js'

const USER_ACTIONS = { disable: disableUser, enable: enableUser, delete: deleteUser } as const
const APP_ACTIONS = { disable: disableApp, enable: enableApp, delete: deleteApp } as const
const PAST = { disable: 'disabled', enable: 'enabled', delete: 'deleted' } as const

/**
 * Administrator actions as form posts under /settings/admin/: disable, enable and delete accounts
 * and apps. Every route here is behind the same two checks, in a hook for the whole scope: the
 * form's CSRF token (and origin) for anything but a read, then `requireAdmin`. Pages around these
 * forms come with the console; a short confirmation page is the answer for now.
 */
export async function adminRoutes(scope: FastifyInstance): Promise<void> {
  const deps: AccountAdminDeps = {
    db: scope.db,
    clock: scope.clock,
    accessTokenTtlSeconds: scope.config.accessTokenTtlSeconds,
    revocations: scope.revocations,
  }

  scope.addHook('preHandler', async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') await verifyCsrf(request)
    await requireAdmin(request)
  })

  scope.post<{ Params: { username: string; action: AdminAction }; Body: AdminFormBody }>(
    '/settings/admin/users/:username/:action',
    { schema: userActionSchema, config: { errorFormat: 'page' } },
    async (request, reply) => {
      const { username, action } = request.params
      await USER_ACTIONS[action](deps, username)
      return done(reply, `The account ${username} is ${PAST[action]}.`)
    },
  )

  scope.post<{ Params: { client_id: string; action: AdminAction }; Body: AdminFormBody }>(
    '/settings/admin/apps/:client_id/:action',
    { schema: appActionSchema, config: { errorFormat: 'page' } },
    async (request, reply) => {
      const { client_id: clientId, action } = request.params
      const change = await APP_ACTIONS[action](deps, clientId)
      return done(reply, `The app ${change.name} (${clientId}) is ${PAST[action]}.`)
    },
  )
}

function done(reply: FastifyReply, message: string): FastifyReply {
  return sendPage(reply, layout('Administration', html`<section class="card narrow" role="status"><h1>Done</h1><p>${message}</p><p class="muted"><a href="/">Home</a></p></section>`))
}
