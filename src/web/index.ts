import type { FastifyInstance } from 'fastify'
import { idleCutoff } from '../domain/session-lifetime.js'
import { assetRoutes } from './assets.routes.js'
import { homeRoutes } from './home.routes.js'
import { loginRoutes } from './login.routes.js'
import { pageScope } from './page-scope.js'
import { sessionDeps } from './session.js'
import { deleteAllExpiredSessions } from './sessions.queries.js'

const PRUNE_EVERY_MS = 60 * 60 * 1000

export { currentUser, type SessionUser } from './session.js'
export { csrfField, csrfToken, verifyCsrf } from './csrf.js'

/** Server-rendered pages: home, sign-in, sign-out, and assets. */
export async function web(app: FastifyInstance): Promise<void> {
  await pageScope(app)
  await app.register(assetRoutes)
  await app.register(homeRoutes)
  await app.register(loginRoutes)

  const { lifetime } = sessionDeps(app)
  const prune = setInterval(() => {
    const now = app.clock.now()
    deleteAllExpiredSessions(app.db, now, idleCutoff(now, lifetime)).catch((error) => app.log.warn({ err: error }, 'pruning expired sessions failed'))
  }, PRUNE_EVERY_MS)
  prune.unref()
  app.addHook('onClose', async () => clearInterval(prune))
}
