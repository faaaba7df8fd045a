import type { FastifyInstance } from 'fastify'
import { headerAccount, sendPage } from './layout.js'
import { homePage } from './pages/home.js'
import { currentUser } from './session.js'

const PLAYGROUND_PATH = '/playground'

export async function homeRoutes(server: FastifyInstance): Promise<void> {
  server.get('/', { config: { errorFormat: 'page' } }, async (request, reply) => {
    const user = await currentUser(request)
    const account = await headerAccount(request)
    // The playground is its own plugin, served only where the deployment turns it on.
    const playgroundPath = server.config.playground ? PLAYGROUND_PATH : undefined
    if (!user || !account) return sendPage(reply, homePage(undefined, { playgroundPath }))
    return sendPage(
      reply,
      homePage({
        user,
        account,
        settings: server.settingsNav.visibleTo(user),
        playgroundPath,
      }),
    )
  })
}
