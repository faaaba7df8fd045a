import type { FastifyInstance } from 'fastify'
import { NotFoundError } from '../errors.js'
import { currentUser } from './session.js'
import { requireSignedIn } from './settings-shell.js'

/** `/settings` opens the first section the signed-in user sees. */
export async function settingsRoutes(server: FastifyInstance): Promise<void> {
  server.get('/settings', { preHandler: requireSignedIn, config: { errorFormat: 'page' } }, async (request, reply) => {
    const user = await currentUser(request)
    const first = user && server.settingsNav.firstFor(user)
    if (!first) throw new NotFoundError('There are no settings pages yet')
    return reply.redirect(first.path, 303)
  })
}
