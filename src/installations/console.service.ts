import { SignJWT } from 'jose'
import type { Clock } from '../domain/clock.js'
import { appUrl, type PageModule } from '../domain/descriptor.js'
import { queryStringHash } from '../domain/qsh.js'
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors.js'
import type { Db } from '../store/database.js'
import type { Keyring } from '../store/secret-box.js'
import type { SessionUser } from '../web/index.js'
import { findWorkspaceWithRole, type WorkspaceRole } from './console.queries.js'
import { getInstalledApp, listInstalledApps, type DescriptorSource, type InstalledApp } from './descriptors.service.js'
import { usableSharedSecrets } from './installation-secrets.js'
import { findLiveInstallation } from './installations.queries.js'
import { listInstallations, type InstallationListing } from './installations.service.js'

/**
 * The rules of the console pages for installed apps: who sees and manages a workspace's apps, which
 * apps a vendor manages, what an install form offers, and the signed address of a page module.
 * The services they call check permissions again; these decide what a page shows.
 */

/** How long the context token in a page module's address lives: it rides in a URL, so briefly. */
export const PAGE_CONTEXT_SECONDS = 180

export interface WorkspaceView {
  workspace: { id: string; slug: string; name: string }
  /** The viewer's role; null for an administrator who is not a member. */
  role: WorkspaceRole | null
  /** Owners and administrators install, disable, enable, uninstall and rotate; members only look. */
  canManage: boolean
}

/**
 * A workspace's apps as `user` may see them: members read, owners and administrators manage. Anyone
 * else is told there is no such workspace of theirs, exactly as if there were none.
 */
export async function viewWorkspace(db: Db, user: SessionUser, slug: string): Promise<WorkspaceView> {
  const found = await findWorkspaceWithRole(db, slug, user.id)
  if (!found || (found.role === null && !user.isAdmin)) throw new NotFoundError(`You are not a member of a workspace named "${slug}"`)
  const { role, ...workspace } = found
  return { workspace, role, canManage: role === 'owner' || user.isAdmin }
}

/** What a workspace owner may change; anyone else (a member) is refused, saying who may. */
export function requireManager(view: WorkspaceView): void {
  if (!view.canManage) throw new ForbiddenError(`Only an owner of workspace ${view.workspace.slug} or an administrator may manage its apps; you are a member`)
}

/** The registered apps an owner may install here: enabled, and not already installed (or being installed) in the workspace. */
export async function installableApps(db: Db, workspaceId: string): Promise<InstalledApp[]> {
  const [apps, installed] = await Promise.all([listInstalledApps(db), listInstallations(db, { workspaceId })])
  const present = new Set(installed.map((i) => i.appId))
  return apps.filter((app) => !app.disabled && !present.has(app.appId))
}

/** The workspace's live installations, each with its app (for its vendor and page modules). */
export async function workspaceInstallations(db: Db, workspaceId: string): Promise<{ installation: InstallationListing; app: InstalledApp }[]> {
  const [installations, apps] = await Promise.all([listInstallations(db, { workspaceId }), listInstalledApps(db)])
  const byId = new Map(apps.map((app) => [app.appId, app]))
  return installations.flatMap((installation) => {
    const app = byId.get(installation.appId)
    return app ? [{ installation, app }] : []
  })
}

export interface PageModuleFrameDeps {
  db: Db
  clock: Clock
  keyring: Keyring
}

export interface PageModuleFrame {
  app: InstalledApp
  module: PageModule
  /** The iframe's src: the module's URL under the app's baseUrl, with the context token in `jwt`. */
  src: string
  /** The app's origin, which the page's CSP must allow in frames. */
  origin: string
}

/**
 * A page module shown inside the platform, to a member of the workspace. The app learns who looks and
 * in which installation from a context token in the address (`jwt`), HS256 under the installation's
 * current shared secret: `iss` the clientKey, `sub` the viewer's user id, `aud` the app key, `iat`,
 * `exp` = iat + PAGE_CONTEXT_SECONDS, and `qsh` of the GET of that address (without `jwt`), relative
 * to the app's baseUrl, so the token opens that page only.
 */
export async function pageModuleFrame(deps: PageModuleFrameDeps, view: WorkspaceView, request: { appKey: string; moduleKey: string; userId: string }): Promise<PageModuleFrame> {
  if (view.role === null) throw new ForbiddenError(`Only members of workspace ${view.workspace.slug} can open its apps' pages: the app is told who is looking, and you are not a member`)
  const app = await findInstalledApp(deps.db, request.appKey)
  const row = app && (await findLiveInstallation(deps.db, app.appId, view.workspace.id))
  if (!app || !row || row.state === 'installing') throw new NotFoundError(`No app "${request.appKey}" is installed in ${view.workspace.slug}`)
  const module = app.descriptor.modules.pages.find((page) => page.key === request.moduleKey)
  if (!module) throw new NotFoundError(`${app.descriptor.name} has no page "${request.moduleKey}"`)
  if (row.state !== 'installed') throw new ConflictError(`${app.descriptor.name} is disabled in ${view.workspace.slug}, so its pages are not shown; an owner of the workspace can enable it`)
  const [secret] = usableSharedSecrets(deps.keyring, row, deps.clock)
  if (secret === undefined) throw new ConflictError(`${app.descriptor.name} holds no shared secret in ${view.workspace.slug}; an owner of the workspace can rotate its secret`)

  const url = appUrl(app.descriptor.baseUrl, module.url)
  const iat = Math.floor(deps.clock.now() / 1000)
  const token = await new SignJWT({ qsh: queryStringHash({ method: 'GET', url, baseUrl: app.descriptor.baseUrl }) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(row.client_key)
    .setSubject(request.userId)
    .setAudience(app.key)
    .setIssuedAt(iat)
    .setExpirationTime(iat + PAGE_CONTEXT_SECONDS)
    .sign(new TextEncoder().encode(secret))
  return { app, module, src: `${url}${url.includes('?') ? '&' : '?'}jwt=${token}`, origin: new URL(app.descriptor.baseUrl).origin }
}

/** The installed apps `user` publishes; an administrator sees every one. */
export function developerApps(db: Db, user: SessionUser): Promise<InstalledApp[]> {
  return listInstalledApps(db, user.isAdmin ? undefined : user.id)
}

/** An installed app its owner (or an administrator) manages; to anyone else there is no such app. */
export async function findManageableInstalledApp(db: Db, user: SessionUser, key: string): Promise<InstalledApp> {
  const app = await findInstalledApp(db, key)
  if (app && (user.isAdmin || app.ownerId === user.id)) return app
  throw new NotFoundError(`You publish no installed app with the key "${key}"`)
}

/** The installed app with this key, if one is registered. */
export async function findInstalledApp(db: Db, key: string): Promise<InstalledApp | undefined> {
  try {
    return await getInstalledApp(db, key)
  } catch (error) {
    if (error instanceof NotFoundError) return undefined
    throw error
  }
}

/** The register form as typed: a URL, or the descriptor pasted as JSON; exactly one of them. */
export interface DescriptorFormValues {
  url: string
  json: string
}

/** Where the form's descriptor comes from, or what to fix in the form. */
export function descriptorSourceOf(values: DescriptorFormValues): DescriptorSource {
  const url = values.url.trim()
  const json = values.json.trim()
  if (url !== '' && json !== '') throw new BadRequestError('Give the descriptor\'s URL or paste its JSON, not both')
  if (url !== '') return { url }
  if (json === '') throw new BadRequestError('Give the descriptor\'s URL, or paste its JSON')
  try {
    return { document: JSON.parse(json) as unknown }
  } catch (error) {
    throw new BadRequestError(`The pasted descriptor is not JSON: ${(error as Error).message}`)
  }
}
