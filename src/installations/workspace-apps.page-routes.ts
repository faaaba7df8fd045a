import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { bridgeRoutes } from '../consent/bridge.routes.js'
import { allowConnectSource, allowFrameSource, csrfToken, currentUser, html, requireSignedIn, sendSettingsPage, verifyCsrf, type SessionUser } from '../web/index.js'
import { refusalOf, sentence, WORKSPACES_PATH, workspaceAppsPath, type SettingsPage } from './console.pages.js'
import { listMemberships } from './console.queries.js'
import {
  actionSchema, installSchema, moduleSchema, workspaceAppsSchema, workspaceListSchema,
  type ActionParams, type DoneQuery, type InstallationAction, type InstallBody, type ModuleParams, type WorkspaceParams,
} from './console.schemas.js'
import { findInstalledApp, installableApps, pageModuleFrame, viewWorkspace, workspaceInstallations, type WorkspaceView } from './console.service.js'
import { listWorkspaceOwners } from './installations.queries.js'
import { changeInstallation, install, rotateSharedSecret, type Actor } from './installations.service.js'
import { embeddedInstallations } from './workspace-apps.bridge.js'
import { PAGE_MODULES_PATH, pageModulePage, pageModulePath, workspaceAppsPage, workspaceListPage } from './workspace-apps.pages.js'

const PAGE = { errorFormat: 'page' } as const
const FORM_POST = [requireSignedIn, verifyCsrf]

/** `?done=` values and the notice each shows, naming the app; anything else shows nothing. */
const DONE: Record<string, (app: string) => string> = {
  installed: (app) => `${app} is installed. It accepted the installation and holds this workspace's shared secret.`,
  disabled: (app) => `${app} is disabled: its tokens stopped working, and its pages are hidden until it is enabled.`,
  enabled: (app) => `${app} is enabled again.`,
  uninstalled: (app) => `${app} is uninstalled, and everything it held in this workspace is revoked.`,
  rotated: (app) => `${app} has a new shared secret. The previous one keeps working for a day, so requests it signed meanwhile still verify.`,
}
const PAST: Record<InstallationAction, string> = { disable: 'disabled', enable: 'enabled', uninstall: 'uninstalled', 'rotate-secret': 'rotated' }

/**
 * Workspaces: the person's workspaces, and each one's installed apps. Members see the apps and open
 * their pages; owners (and administrators) also install, disable, enable, uninstall and rotate.
 */
export async function workspaceAppRoutes(server: FastifyInstance): Promise<void> {
  const { db } = server
  const catalogue = server.apiDescription.scopes
  const frameDeps = { db, clock: server.clock, keyring: server.keyEncryption.keyring }
  const installations = () => server.installedApps.installations

  server.get(WORKSPACES_PATH, { schema: workspaceListSchema, preHandler: requireSignedIn, config: PAGE }, async (request, reply) => {
    const user = await signedIn(request)
    return sendSettingsPage(request, reply, workspaceListPage({ memberships: await listMemberships(db, user.id), isAdmin: user.isAdmin }))
  })

  server.get<{ Params: WorkspaceParams; Querystring: DoneQuery }>(`${WORKSPACES_PATH}/:slug/apps`, { schema: workspaceAppsSchema, preHandler: requireSignedIn, config: PAGE }, async (request, reply) => {
    const view = await viewWorkspace(db, await signedIn(request), request.params.slug)
    return sendAppsPage(request, reply, view, { notice: await doneNotice(request.query) })
  })

  server.post<{ Params: WorkspaceParams; Body: InstallBody }>(`${WORKSPACES_PATH}/:slug/apps/install`, { schema: installSchema, preHandler: FORM_POST, config: PAGE }, async (request, reply) => {
    const user = await signedIn(request)
    const view = await viewWorkspace(db, user, request.params.slug)
    if (!view.canManage) return sendOwnersOnly(request, reply, view)
    const appKey = request.body.app
    if (!appKey) return sendAppsPage(request, reply, view, { error: 'Choose the app to install', status: 400 })
    try {
      await install(installations(), { appKey, workspaceSlug: view.workspace.slug, actor: actorOf(user) })
    } catch (error) {
      const refusal = refusalOf(error)
      if (!refusal) throw error
      return sendAppsPage(request, reply, view, { error: refusal.message, chosen: appKey, status: refusal.status })
    }
    return reply.redirect(`${workspaceAppsPath(view.workspace.slug)}?done=installed&app=${encodeURIComponent(appKey)}`, 303)
  })

  server.post<{ Params: ActionParams }>(`${WORKSPACES_PATH}/:slug/apps/:key/:action`, { schema: actionSchema, preHandler: FORM_POST, config: PAGE }, async (request, reply) => {
    const user = await signedIn(request)
    const view = await viewWorkspace(db, user, request.params.slug)
    if (!view.canManage) return sendOwnersOnly(request, reply, view)
    const { key: appKey, action } = request.params
    const change = { appKey, workspaceSlug: view.workspace.slug, actor: actorOf(user) }
    try {
      if (action === 'rotate-secret') await rotateSharedSecret(installations(), change)
      else await changeInstallation(installations(), action, change)
    } catch (error) {
      const refusal = refusalOf(error)
      if (!refusal) throw error
      return sendAppsPage(request, reply, view, { error: refusal.message, status: refusal.status })
    }
    return reply.redirect(`${workspaceAppsPath(view.workspace.slug)}?done=${PAST[action]}&app=${encodeURIComponent(appKey)}`, 303)
  })

  // The app's page inside the platform: its origin may be framed here, on this page only, and reached
  // by the page's script for proxyRequest. The request bridge serves this page's frame.
  server.get<{ Params: ModuleParams }>(`${PAGE_MODULES_PATH}/:slug/apps/:key/:module`, { schema: moduleSchema, preHandler: requireSignedIn, config: PAGE }, async (request, reply) => {
    const user = await signedIn(request)
    const view = await viewWorkspace(db, user, request.params.slug)
    const frame = await pageModuleFrame(frameDeps, view, { appKey: request.params.key, moduleKey: request.params.module, userId: user.id })
    allowFrameSource(reply, frame.origin)
    allowConnectSource(reply, frame.origin)
    const { descriptor } = frame.app
    const opaque = frame.origin === new URL(server.config.issuer).origin
    const bridge = {
      workspace: { slug: view.workspace.slug, name: view.workspace.name },
      app: { key: frame.app.key, name: descriptor.name, vendor: descriptor.vendor?.name ?? null, perInstallation: descriptor.approval === 'per-installation' },
      appOrigin: frame.origin,
      appBaseUrl: descriptor.baseUrl,
      opaque,
      username: user.username,
      csrf: csrfToken(request),
      timeoutSeconds: server.config.consentTimeoutSeconds,
    }
    return sendSettingsPage(request, reply, pageModulePage({ view, frame, sameOriginAsPlatform: opaque, bridge }))
  })

  // Where page modules were shown before they moved out of the settings area; links and bookmarks still work.
  server.get<{ Params: ModuleParams }>(`${WORKSPACES_PATH}/:slug/apps/:key/:module`, { schema: moduleSchema, config: PAGE }, async (request, reply) => {
    const { slug, key, module } = request.params
    return reply.redirect(pageModulePath(slug, key, module), 301)
  })

  await server.register(bridgeRoutes, {
    findInstallation: embeddedInstallations({
      db,
      clock: server.clock,
      keyring: server.keyEncryption.keyring,
      tokenDeps: { db, clock: server.clock, config: server.config, accessTokens: server.accessTokens, revocations: server.revocations, secrets: server.secrets, catalogue },
    }),
  })

  async function sendAppsPage(request: FastifyRequest, reply: FastifyReply, view: WorkspaceView, extra: { notice?: string; error?: string; chosen?: string; status?: number }): Promise<FastifyReply> {
    const [installed, installable, owners] = await Promise.all([
      workspaceInstallations(db, view.workspace.id),
      view.canManage ? installableApps(db, view.workspace.id) : [],
      listWorkspaceOwners(db, view.workspace.id),
    ])
    const page = workspaceAppsPage({
      view, installed, installable, owners: owners.map((o) => o.username), catalogue, csrf: csrfToken(request),
      notice: extra.notice, error: extra.error && sentence(extra.error), chosen: extra.chosen,
    })
    return sendSettingsPage(request, reply, { ...page, status: extra.status ?? 200 })
  }

  async function doneNotice(query: DoneQuery): Promise<string | undefined> {
    if (query.done === undefined || !Object.hasOwn(DONE, query.done) || query.app === undefined) return undefined
    const app = await findInstalledApp(db, query.app)
    return app && DONE[query.done](app.descriptor.name)
  }
}

/** A member asked for what only owners do: a 403 page saying who may. */
function sendOwnersOnly(request: FastifyRequest, reply: FastifyReply, view: WorkspaceView): Promise<FastifyReply> {
  const page: SettingsPage = {
    title: 'Workspace owners only',
    status: 403,
    body: html`<div class="panel" role="alert">
<p><strong>Only an owner of workspace ${view.workspace.slug}, or an administrator, installs and manages its apps.</strong> You are a member: you can use its apps, not change them.</p>
<p class="muted">If an app needs installing, disabling or removing, ask one of the workspace's owners.</p>
</div>
<p><a href="${workspaceAppsPath(view.workspace.slug)}">Back to the apps of ${view.workspace.name}</a></p>`,
  }
  return sendSettingsPage(request, reply, page)
}

function actorOf(user: SessionUser): Actor {
  return { id: user.id, isAdmin: user.isAdmin }
}

async function signedIn(request: FastifyRequest): Promise<SessionUser> {
  const user = await currentUser(request)
  // requireSignedIn ran first; a session that ended in between is a sign-in away.
  if (!user) throw new Error('a workspace apps route ran without a signed-in user')
  return user
}
