import type { FastifyInstance } from 'fastify'
import { safeReturnTo } from '../domain/return-to.js'
import { signInCsrfToken, verifyCsrf, verifySignInCsrf } from './csrf.js'
import { headerAccount, sendPage } from './layout.js'
import { loginPageSchema, loginSchema, logoutSchema, type CsrfBody, type LoginBody, type LoginQuery } from './login.schemas.js'
import { loginPage } from './pages/login.js'
import { beginBrowserSession, browserSeen, clearSessionCookie, sessionDeps, sessionToken } from './session.js'
import { endSession, signInWithPassword } from './sessions.service.js'

const WRONG_CREDENTIALS = 'Incorrect username or password'

export interface LoginRoutesOptions {
  /** See WebOptions.appSignedInFor. */
  appSignedInFor?: (returnTo: string) => Promise<string | undefined>
}

export async function loginRoutes(server: FastifyInstance, { appSignedInFor }: LoginRoutesOptions): Promise<void> {
  const sessions = sessionDeps(server)
  const continuingTo = async (returnTo: string) => (appSignedInFor ? appSignedInFor(returnTo) : undefined)

  server.get<{ Querystring: LoginQuery }>('/login', { schema: loginPageSchema, config: { errorFormat: 'page' } }, async (request, reply) => {
    const returnTo = safeReturnTo(request.query.return_to)
    const appName = await continuingTo(returnTo)
    const account = await headerAccount(request)
    return sendPage(reply, loginPage({ csrfToken: signInCsrfToken(request, reply), returnTo, again: request.query.again === '1', appName, account }))
  })

  server.post<{ Body: LoginBody }>(
    '/login',
    { schema: loginSchema, preHandler: verifySignInCsrf, config: { errorFormat: 'page' } },
    async (request, reply) => {
      const { username, password } = request.body
      const returnTo = safeReturnTo(request.body.return_to)
      // Throttled per username and address (429 while locked), hashing under a concurrency limit (503 beyond it).
      const session = await server.passwordAttempts.attempt(request.ip, username, () => signInWithPassword(sessions, { username, password }, browserSeen(request)))
      if (!session) {
        const appName = await continuingTo(returnTo)
        const account = await headerAccount(request)
        return sendPage(reply, loginPage({ csrfToken: signInCsrfToken(request, reply), returnTo, username, error: WRONG_CREDENTIALS, appName, account }), 401)
      }
      await beginBrowserSession(request, reply, session)
      return reply.redirect(returnTo, 303)
    },
  )

  server.post<{ Body: CsrfBody }>('/logout', { schema: logoutSchema, preHandler: verifyCsrf, config: { errorFormat: 'page' } }, async (request, reply) => {
    await endSession(server.db, sessionToken(request))
    clearSessionCookie(request, reply)
    return reply.redirect('/', 303)
  })
}
