import type { FastifyInstance } from 'fastify'
import type { AccountAdminDeps } from '../../src/admin/accounts.service.js'

/** The admin services' dependencies, taken from a running app (as its admin pages do). */
export function adminDeps(app: FastifyInstance): AccountAdminDeps {
  return { db: app.db, clock: app.clock, accessTokenTtlSeconds: app.config.accessTokenTtlSeconds, revocations: app.revocations }
}

/** The status the gateway answers for a call to the API with this access token. */
export async function apiStatus(app: FastifyInstance, accessToken: string): Promise<number> {
  return (await app.inject({ method: 'GET', url: '/2.0/user', headers: { authorization: `Bearer ${accessToken}` } })).statusCode
}
