import type { FastifyInstance } from 'fastify'
import { pageScope } from '../web/page-scope.js'
import { adminRoutes } from './admin.routes.js'

/** Administrator actions over HTTP (session-authenticated forms); the CLI runs the same services. */
export async function adminPages(server: FastifyInstance): Promise<void> {
  await pageScope(server)
  await server.register(adminRoutes)
}
