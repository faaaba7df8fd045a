import type { FastifyInstance } from 'fastify'
import { assetRoutes } from './assets.routes.js'
import { homeRoutes } from './home.routes.js'
import { loginRoutes } from './login.routes.js'
import { pageScope } from './page-scope.js'

export { currentUser, type SessionUser } from './session.js'
export { csrfField, csrfToken, verifyCsrf } from './csrf.js'

/** Server-rendered pages: home, sign-in, sign-out, and assets. */
export async function web(app: FastifyInstance): Promise<void> {
  await pageScope(app)
  await app.register(assetRoutes)
  await app.register(homeRoutes)
  await app.register(loginRoutes)
}
