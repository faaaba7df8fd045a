import type { FastifyRequest } from 'fastify'
import { hashSecret } from '../../domain/opaque-token.js'
import { currentUser, sessionToken, type SessionUser } from '../session.js'

/** The signed-in user and their session's token hash, for routes behind `requireSignedIn`. */
export async function signedIn(request: FastifyRequest): Promise<{ user: SessionUser; sessionHash: string }> {
  const user = await currentUser(request)
  const token = sessionToken(request)
  if (!user || token === undefined) throw new Error('this route needs requireSignedIn before it')
  return { user, sessionHash: hashSecret(token) }
}
