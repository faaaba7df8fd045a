import type { FastifyInstance, FastifyRequest } from 'fastify'
import { csrfToken, currentUser, pageScope, requireSignedIn, sendSettingsPage, verifyCsrf, type SessionUser } from '../web/index.js'
import { APP_AUTHORIZATIONS_PATH, appAuthorizationsPage } from './app-authorizations.page.js'
import { appNameOf, appOfDecision, workspaceNamesOfUser } from './app-authorizations.queries.js'
import { appAuthorizationsPageSchema, revokeDecisionSchema, type AppAuthorizationsQuery, type CsrfOnlyBody, type DecisionParams } from './app-authorizations.schemas.js'
import { listDecisionsOfUser, revokeDecision, type ConsentDeps } from './decisions.service.js'

const PAGE = { errorFormat: 'page' } as const

/**
 * Account → App authorizations: every approval and denial of the signed-in user, each revocable. An
 * approval ends with its tokens (on every node within a second: grant revocations); a denial is
 * lifted. Someone else's decision is a 404, as if it did not exist.
 */
export async function appAuthorizationPages(server: FastifyInstance): Promise<void> {
  server.settingsNav.add({ group: 'Account', label: 'App authorizations', path: APP_AUTHORIZATIONS_PATH })
  await pageScope(server)
  const deps: ConsentDeps = { db: server.db, clock: server.clock, revocations: server.revocations, accessTokenTtlSeconds: server.config.accessTokenTtlSeconds }

  server.get<{ Querystring: AppAuthorizationsQuery }>(
    APP_AUTHORIZATIONS_PATH,
    { schema: appAuthorizationsPageSchema, preHandler: requireSignedIn, config: PAGE },
    async (request, reply) => {
      const user = await signedIn(request)
      const { ended, app } = request.query
      const [decisions, workspaceNames, appName] = await Promise.all([
        listDecisionsOfUser(deps.db, user.id),
        workspaceNamesOfUser(deps.db, user.id),
        ended && app ? appNameOf(deps.db, app) : undefined,
      ])
      const page = appAuthorizationsPage({
        decisions,
        catalogue: server.apiDescription.scopes,
        workspaceNames,
        now: deps.clock.now(),
        csrfToken: csrfToken(request),
        done: ended ? { ended, appName } : undefined,
      })
      return sendSettingsPage(request, reply, page)
    },
  )

  server.post<{ Params: DecisionParams; Body: CsrfOnlyBody }>(
    `${APP_AUTHORIZATIONS_PATH}/:id/revoke`,
    { schema: revokeDecisionSchema, preHandler: [requireSignedIn, verifyCsrf], config: PAGE },
    async (request, reply) => {
      const user = await signedIn(request)
      const clientId = await appOfDecision(deps.db, user.id, request.params.id)
      const { ended } = await revokeDecision(deps, user.id, request.params.id)
      const query = new URLSearchParams({ ended })
      if (clientId !== undefined) query.set('app', clientId)
      return reply.redirect(`${APP_AUTHORIZATIONS_PATH}?${query}`, 303)
    },
  )
}

async function signedIn(request: FastifyRequest): Promise<SessionUser> {
  const user = await currentUser(request)
  if (!user) throw new Error('this route needs requireSignedIn before it')
  return user
}
