import type { FastifyRequest } from 'fastify'
import { ForbiddenError } from '../errors.js'
import { currentUser, type SessionUser } from '../web/index.js'

export const NEEDS_ADMINISTRATOR = 'This action needs an administrator'

/**
 * The one rule for administrator actions over HTTP: a signed-in, enabled account with the admin
 * flag (`users.is_admin`, read from the database with the session on every request, so taking
 * the flag away or disabling the account takes effect at once). Anyone else gets 403 saying so.
 */
export async function requireAdmin(request: FastifyRequest): Promise<SessionUser> {
  const user = await currentUser(request)
  if (!user) throw new ForbiddenError(`${NEEDS_ADMINISTRATOR}; sign in as one first`)
  if (!user.isAdmin) throw new ForbiddenError(`${NEEDS_ADMINISTRATOR}, and ${user.username} is not one`)
  return user
}
