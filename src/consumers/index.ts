import type { FastifyInstance } from 'fastify'
import { pageScope } from '../web/index.js'
import { CONSUMERS_PATH } from './consumers.pages.js'
import { consumerRoutes } from './consumers.routes.js'

/** Developer → OAuth consumers: the pages where people register and manage their apps. */
export async function consumerPages(server: FastifyInstance): Promise<void> {
  server.settingsNav.add({ group: 'Developer', label: 'OAuth consumers', path: CONSUMERS_PATH })
  await pageScope(server)
  await server.register(consumerRoutes)
}
