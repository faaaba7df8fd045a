import type { FastifyInstance } from 'fastify'
import { safeReturnTo } from '../domain/return-to.js'
import { csrfToken, verifyCsrf } from './csrf.js'
import { sendPage } from './layout.js'
import { loginPageSchema, loginSchema, logoutSchema, type CsrfBody, type LoginBody, type LoginQuery } from './login.schemas.js'
import { loginPage } from './pages/login.js'
import { clearSessionCookie, sessionToken, setSessionCookie } from './session.js'
import { endSession, signInWithPassword } from './sessions.service.js'

const WRONG_CREDENTIALS = 'Incorrect username or password'

export async function loginRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: LoginQuery }>('/login', { schema: loginPageSchema, config: { errorFormat: 'page' } }, async (request, reply) =>
    sendPage(reply, loginPage({ csrfToken: csrfToken(request, reply), returnTo: safeReturnTo(request.query.return_to) })),
  )

  app.post<{ Body: LoginBody }>(
    '/login',
    { schema: loginSchema, preHandler: verifyCsrf, config: { errorFormat: 'page', rateLimit: app.rateLimitConfig } },
    async (request, reply) => {
      const { username, password } = request.body
      const returnTo = safeReturnTo(request.body.return_to)
      const session = await signInWithPassword(app.db, app.clock, app.config.sessionTtlSeconds, { username, password })
      if (!session) {
        return sendPage(reply, loginPage({ csrfToken: csrfToken(request, reply), returnTo, username, error: WRONG_CREDENTIALS }), 401)
      }
      setSessionCookie(request, reply, session)
      return reply.redirect(returnTo, 303)
    },
  )

  app.post<{ Body: CsrfBody }>('/logout', { schema: logoutSchema, preHandler: verifyCsrf, config: { errorFormat: 'page' } }, async (request, reply) => {
    await endSession(app.db, sessionToken(request))
    clearSessionCookie(request, reply)
    return reply.redirect('/', 303)
  })
}
