import type { FastifyInstance } from 'fastify'
import { csrfToken } from './csrf.js'
import { sendPage } from './layout.js'
import { homePage } from './pages/home.js'
import { currentUser } from './session.js'

export async function homeRoutes(server: FastifyInstance): Promise<void> {
  server.get('/', { config: { errorFormat: 'page' } }, async (request, reply) => {
    const user = await currentUser(request)
    return sendPage(reply, homePage(user, user ? csrfToken(request) : undefined))
  })
}
