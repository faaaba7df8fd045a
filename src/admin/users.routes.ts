import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { generatePassword } from '../domain/password.js'
import type { GatehouseError } from '../errors.js'
import { createUser, UserInputError, UsernameTakenError } from '../users/users.service.js'
import { csrfToken, sendSettingsPage } from '../web/index.js'
import {
  deleteUser,
  disableUser,
  enableUser,
  refuseOwnAccount,
  resetPassword,
  setAdministrator,
  type AccountAdminDeps,
  type OwnAccountAction,
} from './accounts.service.js'
import {
  createUserSchema,
  resetPasswordSchema,
  userActionSchema,
  userListSchema,
  type ActionFormBody,
  type CreateUserBody,
  type ListQuery,
  type UserAction,
} from './admin.schemas.js'
import { listWindow, listUrl } from './pages/components.js'
import { NEW_USER_PATH, newUserPage, passwordShownOncePage, USERS_PATH, userListPage, type NewUserForm, type UserNotice } from './pages/users.js'
import { searchUsers } from './console.queries.js'
import { refusalOf } from './refusal.js'
import { signedInAdmin } from './require-admin.js'

const PAGE = { errorFormat: 'page' } as const

const RUN: Record<UserAction, (deps: AccountAdminDeps, username: string) => Promise<unknown>> = {
  disable: disableUser,
  enable: enableUser,
  delete: deleteUser,
  'make-admin': (deps, username) => setAdministrator(deps, username, true),
  'remove-admin': (deps, username) => setAdministrator(deps, username, false),
}

/** The actions that would lock the acting administrator out if aimed at their own account. */
const OWN_ACCOUNT: Partial<Record<UserAction, OwnAccountAction>> = { disable: 'disable', delete: 'delete', 'remove-admin': 'remove-admin' }

/** Users: the searchable list, its row actions, creating an account, and resetting a password. */
export async function userRoutes(scope: FastifyInstance, { deps }: { deps: AccountAdminDeps }): Promise<void> {
  async function sendList(request: FastifyRequest, reply: FastifyReply, query: ListQuery<UserNotice>, refusal?: GatehouseError): Promise<FastifyReply> {
    const actor = await signedInAdmin(request)
    const { rows, total } = await searchUsers(deps.db, query.q?.trim() ?? '', listWindow(query.page))
    const page = userListPage({ query, rows, total, actor: actor.username, csrfToken: csrfToken(request), error: refusal?.message })
    return sendSettingsPage(request, reply, { ...page, status: refusal?.status })
  }

  scope.get<{ Querystring: ListQuery<UserNotice> }>(USERS_PATH, { schema: userListSchema, config: PAGE }, (request, reply) => sendList(request, reply, request.query))

  scope.get(NEW_USER_PATH, { config: PAGE }, (request, reply) => sendSettingsPage(request, reply, newUserPage({ csrfToken: csrfToken(request) })))

  scope.post<{ Body: CreateUserBody }>(USERS_PATH, { schema: createUserSchema, config: PAGE }, async (request, reply) => {
    const { body } = request
    const form: NewUserForm = { username: body.username?.trim() ?? '', displayName: body.display_name ?? '', passwordChoice: body.password_choice ?? 'generate', isAdmin: body.is_admin === 'on' }
    const generated = form.passwordChoice === 'generate' ? generatePassword() : undefined
    try {
      const user = await createUser(deps.db, deps.clock, { username: form.username!, displayName: form.displayName, password: generated ?? body.password ?? '', isAdmin: form.isAdmin })
      if (!generated) return reply.redirect(listUrl(USERS_PATH, { q: user.username, done: 'created', name: user.username }), 303)
      const notice = `Created the account ${user.username}${user.isAdmin ? ', an administrator' : ''}.`
      return sendSettingsPage(request, reply, passwordShownOncePage({ title: 'User created', notice, username: user.username, password: generated }))
    } catch (error) {
      if (!(error instanceof UserInputError || error instanceof UsernameTakenError)) throw error
      const page = newUserPage({ csrfToken: csrfToken(request), form, errors: { [error.field]: error.message } })
      return sendSettingsPage(request, reply, { ...page, status: error.status })
    }
  })

  scope.post<{ Params: { username: string }; Body: ActionFormBody }>(`${USERS_PATH}/:username/reset-password`, { schema: resetPasswordSchema, config: PAGE }, async (request, reply) => {
    const { username } = request.params
    try {
      refuseOwnAccount((await signedInAdmin(request)).username, username, 'reset-password')
      const { password } = await resetPassword(deps, username)
      const notice = `${username} has a new password and is signed out everywhere.`
      return await sendSettingsPage(request, reply, passwordShownOncePage({ title: 'Password reset', notice, username, password }))
    } catch (error) {
      const refusal = refusalOf(error)
      if (!refusal) throw error
      return sendList(request, reply, { q: request.body.q, page: request.body.page }, refusal)
    }
  })

  scope.post<{ Params: { username: string; action: UserAction }; Body: ActionFormBody }>(`${USERS_PATH}/:username/:action`, { schema: userActionSchema, config: PAGE }, async (request, reply) => {
    const { username, action } = request.params
    const state = { q: request.body.q, page: request.body.page }
    try {
      const own = OWN_ACCOUNT[action]
      if (own) refuseOwnAccount((await signedInAdmin(request)).username, username, own)
      await RUN[action](deps, username)
    } catch (error) {
      const refusal = refusalOf(error)
      if (!refusal) throw error
      return sendList(request, reply, state, refusal)
    }
    return reply.redirect(listUrl(USERS_PATH, { ...state, done: action, name: username }), 303)
  })
}
