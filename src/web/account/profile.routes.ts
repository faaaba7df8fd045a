import type { FastifyInstance } from 'fastify'
import { changeDisplayName, UserInputError } from '../../users/users.service.js'
import { csrfToken, verifyCsrf } from '../csrf.js'
import { requireSignedIn, sendSettingsPage } from '../settings-shell.js'
import { profileFormSchema, profilePageSchema, type ProfileBody, type ProfileQuery } from './account.schemas.js'
import { loadProfile } from './account.service.js'
import { PROFILE_PATH, profilePage } from './profile.page.js'
import { signedIn } from './signed-in.js'

export async function profileRoutes(server: FastifyInstance): Promise<void> {
  server.get<{ Querystring: ProfileQuery }>(
    PROFILE_PATH,
    { schema: profilePageSchema, preHandler: requireSignedIn, config: { errorFormat: 'page' } },
    async (request, reply) => {
      const { user } = await signedIn(request)
      const profile = await loadProfile(server.db, user.id)
      return sendSettingsPage(request, reply, profilePage({ csrfToken: csrfToken(request), profile, saved: request.query.saved === '1' }))
    },
  )

  server.post<{ Body: ProfileBody }>(
    PROFILE_PATH,
    { schema: profileFormSchema, preHandler: [requireSignedIn, verifyCsrf], config: { errorFormat: 'page' } },
    async (request, reply) => {
      const { user } = await signedIn(request)
      try {
        await changeDisplayName(server.db, user.id, request.body.display_name)
      } catch (error) {
        if (!(error instanceof UserInputError)) throw error
        const profile = await loadProfile(server.db, user.id)
        const page = profilePage({ csrfToken: csrfToken(request), profile, displayName: request.body.display_name, error: error.message })
        return sendSettingsPage(request, reply, { ...page, status: 400 })
      }
      return reply.redirect(`${PROFILE_PATH}?saved=1`, 303)
    },
  )
}
