import type { FastifyInstance, FastifyRequest } from 'fastify'
import { ForbiddenError, InvalidTokenError } from '../errors.js'
import {
  appKeyParams,
  deliverySchema,
  descriptorRegisterBody,
  installationCreateBody,
  installationParams,
  installationSchema,
  installedAppSchema,
  pageQuery,
  pageSchema,
  workspaceParams,
  type AppKeyParams,
  type InstallationParams,
  type PageQuery,
  type WorkspaceParams,
} from '../platform/platform.schemas.js'
import { findUserById } from '../users/users.service.js'
import { getInstalledApp, registerDescriptor } from './descriptors.service.js'
import type { Installation } from './installation.js'
import { changeInstallation, install, listDeliveries, listInstallations, type DeliveryListing } from './installations.service.js'
import { findWorkspaceBySlug } from './installations.queries.js'

/**
 * The installed-apps operations of the platform API (`/2.0/workspaces/{workspace}/installations`,
 * `/2.0/apps`), behind the gate like the rest: each route names its OpenAPI operation, which names
 * its scopes. They act as the token's user, with the same rules as the pages and the command line.
 */
export async function installationsApi(server: FastifyInstance): Promise<void> {
  const deps = server.installedApps

  server.get<{ Params: WorkspaceParams; Querystring: PageQuery }>('/2.0/workspaces/:workspace/installations', {
    schema: { params: workspaceParams, querystring: pageQuery, response: { 200: pageSchema(installationSchema) } },
    config: { operationId: 'listInstallations' },
  }, async (request) => {
    const user = await caller(request)
    const workspace = await findWorkspaceBySlug(server.db, request.params.workspace)
    const member = workspace && (await server.db.selectFrom('workspace_members').select('user_id').where('workspace_id', '=', workspace.id).where('user_id', '=', user.id).executeTakeFirst())
    if (!workspace || (!member && !user.isAdmin)) throw new ForbiddenError(`you are not a member of a workspace "${request.params.workspace}"`)
    const all = await listInstallations(server.db, { workspaceId: workspace.id })
    const { page, pagelen } = request.query
    return pageOf(all.slice((page - 1) * pagelen, page * pagelen).map((i) => installationJson(i, i.appKey, i.appName, i.workspaceSlug)), page, pagelen, all.length, request)
  })

  server.post<{ Params: WorkspaceParams; Body: { app: string } }>('/2.0/workspaces/:workspace/installations', {
    schema: { params: workspaceParams, body: installationCreateBody, response: { 201: installationSchema } },
    config: { operationId: 'installApp' },
  }, async (request, reply) => {
    const actor = await caller(request)
    const result = await install(deps.installations, { appKey: request.body.app, workspaceSlug: request.params.workspace, actor })
    return reply.status(201).send(installationJson(result.installation, result.app.key, result.app.descriptor.name, result.workspace.slug))
  })

  server.delete<{ Params: InstallationParams }>('/2.0/workspaces/:workspace/installations/:app_key', {
    schema: { params: installationParams },
    config: { operationId: 'uninstallApp' },
  }, async (request, reply) => {
    await changeInstallation(deps.installations, 'uninstall', { appKey: request.params.app_key, workspaceSlug: request.params.workspace, actor: await caller(request) })
    return reply.status(204).send()
  })

  server.post<{ Body: { url: string } | { descriptor: unknown } }>('/2.0/apps', {
    schema: { body: descriptorRegisterBody, response: { 200: installedAppSchema } },
    config: { operationId: 'registerApp' },
  }, async (request) => {
    const actor = await caller(request)
    const body = request.body
    const result = await registerDescriptor(deps.descriptors, 'url' in body ? { url: body.url } : { document: body.descriptor }, { ownerId: actor.id, isAdmin: actor.isAdmin })
    return { type: 'installed_app', key: result.app.key, name: result.app.descriptor.name, version: result.app.version, scopes: result.app.descriptor.scopes, created: result.created, changed: result.changed, added_scopes: result.addedScopes }
  })

  server.get<{ Params: AppKeyParams; Querystring: PageQuery }>('/2.0/apps/:app_key/deliveries', {
    schema: { params: appKeyParams, querystring: pageQuery, response: { 200: pageSchema(deliverySchema) } },
    config: { operationId: 'listAppDeliveries' },
  }, async (request) => {
    const actor = await caller(request)
    const app = await getInstalledApp(server.db, request.params.app_key)
    if (app.ownerId !== actor.id && !actor.isAdmin) throw new ForbiddenError(`only the publisher of ${app.key} may read its callback log`)
    const { page, pagelen } = request.query
    const rows = await listDeliveries(server.db, app.appId, 1000)
    return pageOf(rows.slice((page - 1) * pagelen, page * pagelen).map(deliveryJson), page, pagelen, rows.length, request)
  })
}

/** The token's user, as an actor of the installation services (an app account is never an owner, so it installs nothing). */
async function caller(request: FastifyRequest): Promise<{ id: string; isAdmin: boolean }> {
  if (!request.identity) throw new InvalidTokenError('This operation needs an access token')
  const user = await findUserById(request.server.db, request.identity.userId)
  return { id: request.identity.userId, isAdmin: user?.is_admin === 1 && user.disabled_at === null }
}

function installationJson(installation: Installation, appKey: string, appName: string, workspaceSlug: string) {
  return {
    type: 'installation',
    app: { key: appKey, name: appName },
    workspace: { slug: workspaceSlug },
    state: installation.state,
    client_key: installation.clientKey,
    oauth_client_id: installation.oauthClientId,
    previous_client_key: installation.previousClientKey,
    created_on: new Date(installation.createdAt).toISOString(),
  }
}

function deliveryJson(delivery: DeliveryListing) {
  return {
    type: 'callback_delivery',
    workspace: delivery.workspaceSlug,
    client_key: delivery.clientKey,
    sequence: delivery.sequence,
    event: delivery.event,
    url: delivery.url,
    state: delivery.state,
    attempts: delivery.attempts,
    last_status: delivery.lastStatus,
    last_error: delivery.lastError,
    next_attempt_on: delivery.nextAttemptAt === null ? null : new Date(delivery.nextAttemptAt).toISOString(),
    created_on: new Date(delivery.createdAt).toISOString(),
  }
}

function pageOf<T>(values: T[], page: number, pagelen: number, size: number, request: FastifyRequest) {
  const path = request.url.split('?')[0]
  const next = page * pagelen < size ? `${request.server.config.issuer}${path}?page=${page + 1}&pagelen=${pagelen}` : undefined
  return { values, page, pagelen, size, ...(next ? { next } : {}) }
}
