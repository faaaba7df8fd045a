import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { reconsentProgress } from '../consent/decisions.service.js'
import { recentScopeUsage } from '../scopes/usage.js'
import { BadRequestError } from '../errors.js'
import { csrfToken, currentUser, requireSignedIn, sendSettingsPage, verifyCsrf, type SessionUser } from '../web/index.js'
import { DEVELOPER_APPS_PATH, developerAppPath, refusalOf, sentence } from './console.pages.js'
import { developerAppSchema, developerListSchema, refreshSchema, registerSchema, type AppKeyParams, type DescriptorFormBody, type RefreshBody, type DoneQuery } from './console.schemas.js'
import { descriptorSourceOf, developerApps, findManageableInstalledApp, type DescriptorFormValues } from './console.service.js'
import { DescriptorInvalidError, registerDescriptor, type DescriptorRegistration, type InstalledApp } from './descriptors.service.js'
import { developerAppPage, developerListPage, type RegisterError } from './developer-apps.pages.js'
import { listReports } from './enforcements.service.js'
import { listDeliveries, listInstallations } from './installations.service.js'

const PAGE = { errorFormat: 'page' } as const
const FORM_POST = [requireSignedIn, verifyCsrf]

const DONE: Record<string, string> = {
  registered: 'The app is registered. Workspace owners can install it now.',
  updated: 'The descriptor is updated: this is a new version.',
  unchanged: 'The descriptor is the one already registered; nothing changed.',
}

/** Developer → Installed apps: the vendor's apps, registering and updating descriptors, and each app's installations, callbacks and reports. */
export async function developerAppRoutes(server: FastifyInstance): Promise<void> {
  const { db } = server
  const catalogue = server.apiDescription.scopes
  const descriptors = () => server.installedApps.descriptors

  server.get<{ Querystring: DoneQuery }>(DEVELOPER_APPS_PATH, { schema: developerListSchema, preHandler: requireSignedIn, config: PAGE }, async (request, reply) => {
    const notice = request.query.done !== undefined && Object.hasOwn(DONE, request.query.done) ? DONE[request.query.done] : undefined
    return sendList(request, reply, { values: { url: '', json: '' }, notice })
  })

  server.post<{ Body: DescriptorFormBody }>(DEVELOPER_APPS_PATH, { schema: registerSchema, preHandler: FORM_POST, config: PAGE }, async (request, reply) => {
    const user = await signedIn(request)
    const values: DescriptorFormValues = { url: request.body.url ?? '', json: request.body.json ?? '' }
    try {
      const registered = await registerDescriptor(descriptors(), descriptorSourceOf(values), { ownerId: user.id, isAdmin: user.isAdmin })
      return reply.redirect(`${developerAppPath(registered.app.key)}?done=${outcome(registered)}`, 303)
    } catch (error) {
      const refused = registerError(error)
      return sendList(request, reply, { values, error: refused.error, status: refused.status })
    }
  })

  server.get<{ Params: AppKeyParams; Querystring: DoneQuery }>(`${DEVELOPER_APPS_PATH}/:key`, { schema: developerAppSchema, preHandler: requireSignedIn, config: PAGE }, async (request, reply) => {
    const app = await findManageableInstalledApp(db, await signedIn(request), request.params.key)
    const notice = request.query.done !== undefined && Object.hasOwn(DONE, request.query.done) ? DONE[request.query.done] : undefined
    return sendAppPage(request, reply, app, { notice })
  })

  server.post<{ Params: AppKeyParams; Body: RefreshBody }>(`${DEVELOPER_APPS_PATH}/:key/refresh`, { schema: refreshSchema, preHandler: FORM_POST, config: PAGE }, async (request, reply) => {
    const user = await signedIn(request)
    const app = await findManageableInstalledApp(db, user, request.params.key)
    try {
      if (app.sourceUrl === null) throw new BadRequestError('This descriptor was pasted or given as a file, so there is no URL to update it from; register the new descriptor instead')
      const reconsentGraceMs = Number(request.body.reconsent_grace ?? '0') * 86_400_000
      const registered = await registerDescriptor(descriptors(), { url: app.sourceUrl, key: app.key }, { ownerId: user.id, isAdmin: user.isAdmin }, { reconsentGraceMs })
      return reply.redirect(`${developerAppPath(registered.app.key)}?done=${outcome(registered)}`, 303)
    } catch (error) {
      const refused = registerError(error)
      return sendAppPage(request, reply, app, { error: refused.error, status: refused.status })
    }
  })

  async function sendList(request: FastifyRequest, reply: FastifyReply, input: { values: DescriptorFormValues; notice?: string; error?: RegisterError; status?: number }): Promise<FastifyReply> {
    const user = await signedIn(request)
    const page = developerListPage({ apps: await developerApps(db, user), showOwner: user.isAdmin, csrf: csrfToken(request), ...input })
    return sendSettingsPage(request, reply, { ...page, status: input.status ?? page.status })
  }

  async function sendAppPage(request: FastifyRequest, reply: FastifyReply, app: InstalledApp, input: { notice?: string; error?: RegisterError; status?: number }): Promise<FastifyReply> {
    const [installations, deliveries, reports, reconsent, usage] = await Promise.all([
      listInstallations(db, { appId: app.appId, includeEnded: true }),
      listDeliveries(db, app.appId),
      listReports(db, app.appId),
      reconsentProgress(db, app.appId, catalogue),
      recentScopeUsage(db, server.apiDescription, app.key, server.clock.now()),
    ])
    const page = developerAppPage({ app, installations, deliveries, reports, reconsent, usage, catalogue, csrf: csrfToken(request), ...input })
    return sendSettingsPage(request, reply, { ...page, status: input.status ?? page.status })
  }
}

function outcome(registration: DescriptorRegistration): string {
  return registration.created ? 'registered' : registration.changed ? 'updated' : 'unchanged'
}

/** What the form shows for a refused descriptor: every problem by field, or the one refusal; anything else is the error handler's. */
function registerError(error: unknown): { error: RegisterError; status: number } {
  if (error instanceof DescriptorInvalidError) return { error: { message: error.message, problems: error.problems }, status: 400 }
  const refusal = refusalOf(error)
  if (!refusal) throw error
  return { error: { message: sentence(refusal.message) }, status: refusal.status }
}

async function signedIn(request: FastifyRequest): Promise<SessionUser> {
  const user = await currentUser(request)
  if (!user) throw new Error('an installed-apps route ran without a signed-in user')
  return user
}
