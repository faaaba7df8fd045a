import type { FastifyInstance } from 'fastify'
import { pageScope } from '../web/index.js'
import { playgroundRoutes } from './playground.routes.js'

/**
 * The playground, where GATEHOUSE_PLAYGROUND turns it on (by default, where the demo is seeded:
 * the embedded database on loopback). Off, its paths do not exist (404).
 */
export async function playground(server: FastifyInstance): Promise<void> {
  if (!server.config.playground) return
  await pageScope(server)
  await server.register(playgroundRoutes)
}
