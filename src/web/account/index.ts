import type { FastifyInstance } from 'fastify'
import { passwordRoutes } from './password.routes.js'
import { PASSWORD_PATH } from './password.page.js'
import { profileRoutes } from './profile.routes.js'
import { PROFILE_PATH } from './profile.page.js'
import { sessionsRoutes } from './sessions.routes.js'
import { SESSIONS_PATH } from './sessions.page.js'

/** The settings area's Account group: the signed-in user's profile, password and sessions. Registered inside `web`'s page scope. */
export async function accountSettings(server: FastifyInstance): Promise<void> {
  server.settingsNav.add({ group: 'Account', label: 'Profile', path: PROFILE_PATH })
  server.settingsNav.add({ group: 'Account', label: 'Password', path: PASSWORD_PATH })
  server.settingsNav.add({ group: 'Account', label: 'Sessions', path: SESSIONS_PATH })
  await server.register(profileRoutes)
  await server.register(passwordRoutes)
  await server.register(sessionsRoutes)
}
