import type { FastifyInstance } from 'fastify'
import { createWorkspace } from '../../src/platform/index.js'
import { createUser } from '../../src/users/users.service.js'

export interface Caller {
  id: string
  username: string
  /** `authorization` header with a token holding `scope`. */
  auth(scope?: string): Promise<{ authorization: string }>
}

export const ALL_SCOPES = 'account workspace repository repository:write issue issue:write'

/** A user with a way to mint access tokens for them, as an app they authorised would hold. */
export async function makeCaller(app: FastifyInstance, username: string): Promise<Caller> {
  const user = await createUser(app.db, app.clock, { username, password: 'correct horse battery' })
  return {
    id: user.id,
    username,
    auth: async (scope = ALL_SCOPES) => {
      const { token } = await app.accessTokens.issue({ subject: user.id, clientId: 'test-app', scope })
      return { authorization: `Bearer ${token}` }
    },
  }
}

/** Ada owns "acme"; Grace is a plain member; Eve belongs to none of it. */
export async function acme(app: FastifyInstance) {
  const ada = await makeCaller(app, 'ada')
  const grace = await makeCaller(app, 'grace')
  const eve = await makeCaller(app, 'eve')
  const workspace = await createWorkspace(app.db, app.clock, {
    slug: 'acme',
    name: 'Acme',
    members: [{ userId: ada.id, role: 'owner' }, { userId: grace.id, role: 'member' }],
  })
  await createWorkspace(app.db, app.clock, { slug: 'eves', members: [{ userId: eve.id, role: 'owner' }] })
  return { ada, grace, eve, workspace }
}
