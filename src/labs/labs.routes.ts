import type { FastifyInstance, FastifyRequest } from 'fastify'
import { csrfToken, currentUser, requireSignedIn, sendSettingsPage, verifyCsrf, type SessionUser } from '../web/index.js'
import type { FlagModes } from './flags.js'
import { LABS_PATH, labsPage } from './labs.page.js'
import { labsPageSchema, setFlagSchema, type FlagBody, type FlagParams, type LabsQuery } from './labs.schemas.js'
import { listFlagsFor, setFlag, type LabsDeps } from './labs.service.js'

const PAGE = { errorFormat: 'page' } as const

/** Account → Labs: the feature flags, each turned on or off by a one-button form. */
export async function labsRoutes(server: FastifyInstance): Promise<void> {
  const deps: LabsDeps = { db: server.db, clock: server.clock }
  const modes: FlagModes = { explicitConsent: server.config.explicitConsent }

  server.get<{ Querystring: LabsQuery }>(LABS_PATH, { schema: labsPageSchema, preHandler: requireSignedIn, config: PAGE }, async (request, reply) => {
    const user = await signedIn(request)
    const { flag, turned } = request.query
    const page = labsPage({ flags: await listFlagsFor(deps.db, user.id), modes, csrfToken: csrfToken(request), turned: flag && turned ? { flag, on: turned === 'on' } : undefined })
    return sendSettingsPage(request, reply, page)
  })

  server.post<{ Params: FlagParams; Body: FlagBody }>(`${LABS_PATH}/:flag`, { schema: setFlagSchema, preHandler: [requireSignedIn, verifyCsrf], config: PAGE }, async (request, reply) => {
    const user = await signedIn(request)
    const flag = await setFlag(deps, user.id, request.params.flag, request.body.enabled === 'on')
    return reply.redirect(`${LABS_PATH}?${new URLSearchParams({ flag: flag.name, turned: request.body.enabled })}`, 303)
  })
}

async function signedIn(request: FastifyRequest): Promise<SessionUser> {
  const user = await currentUser(request)
  if (!user) throw new Error('this route needs requireSignedIn before it')
  return user
}
