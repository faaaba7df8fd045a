import type { FastifyInstance } from 'fastify'
import { csrfToken, verifyCsrf } from '../csrf.js'
import { clearSessionCookie, sessionDeps } from '../session.js'
import { requireSignedIn, sendSettingsPage } from '../settings-shell.js'
import { endOtherSessionsSchema, endSessionSchema, sessionsPageSchema, type CsrfOnlyBody, type SessionParams, type SessionsQuery } from './account.schemas.js'
import { endOtherSessions, endSessionOfUser, listSessions } from './account.service.js'
import { SESSIONS_PATH, sessionsPage } from './sessions.page.js'
import { signedIn } from './signed-in.js'

export async function sessionsRoutes(server: FastifyInstance): Promise<void> {
  const deps = sessionDeps(server)

  server.get<{ Querystring: SessionsQuery }>(
    SESSIONS_PATH,
    { schema: sessionsPageSchema, preHandler: requireSignedIn, config: { errorFormat: 'page' } },
    async (request, reply) => {
      const { user, sessionHash } = await signedIn(request)
      const sessions = await listSessions(deps, user.id, sessionHash)
      return sendSettingsPage(request, reply, sessionsPage({ csrfToken: csrfToken(request), sessions, now: server.clock.now(), ended: request.query.ended }))
    },
  )

  server.post<{ Params: SessionParams; Body: CsrfOnlyBody }>(
    `${SESSIONS_PATH}/:id/end`,
    { schema: endSessionSchema, preHandler: [requireSignedIn, verifyCsrf], config: { errorFormat: 'page' } },
    async (request, reply) => {
      const { user, sessionHash } = await signedIn(request)
      const { wasCurrent } = await endSessionOfUser(deps, user.id, request.params.id, sessionHash)
      // The page offers "Sign out" for this browser instead; ending it here anyway is the same thing.
      if (wasCurrent) {
        clearSessionCookie(request, reply)
        return reply.redirect('/', 303)
      }
      return reply.redirect(`${SESSIONS_PATH}?ended=1`, 303)
    },
  )

  server.post<{ Body: CsrfOnlyBody }>(
    `${SESSIONS_PATH}/end-others`,
    { schema: endOtherSessionsSchema, preHandler: [requireSignedIn, verifyCsrf], config: { errorFormat: 'page' } },
    async (request, reply) => {
      const { user, sessionHash } = await signedIn(request)
      const ended = await endOtherSessions(deps, user.id, sessionHash)
      return reply.redirect(`${SESSIONS_PATH}?ended=${ended}`, 303)
    },
  )
}
