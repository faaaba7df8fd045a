import type { FastifyInstance } from 'fastify'
import { NotFoundError } from '../errors.js'
import { sendSettingsPage } from '../web/index.js'
import type { AccountAdminDeps } from './accounts.service.js'
import { workspaceListSchema, workspaceSchema } from './admin.schemas.js'
import { findWorkspaceBySlug, listWorkspaceApps, listWorkspaceMembers, listWorkspaces } from './console.queries.js'
import { listWindow } from './pages/components.js'
import { appsSection, membersSection, workspaceListPage, workspacePage, WORKSPACES_PATH } from './pages/workspaces.js'

const PAGE = { errorFormat: 'page' } as const

/** Workspaces: the list, and each workspace's members and apps (read-only). */
export async function workspaceRoutes(scope: FastifyInstance, { deps }: { deps: Pick<AccountAdminDeps, 'db'> }): Promise<void> {
  scope.get<{ Querystring: { page?: number } }>(WORKSPACES_PATH, { schema: workspaceListSchema, config: PAGE }, async (request, reply) => {
    const { rows, total } = await listWorkspaces(deps.db, listWindow(request.query.page))
    return sendSettingsPage(request, reply, workspaceListPage({ rows, total, page: request.query.page }))
  })

  scope.get<{ Params: { slug: string }; Querystring: { page?: number } }>(`${WORKSPACES_PATH}/:slug`, { schema: workspaceSchema, config: PAGE }, async (request, reply) => {
    const workspace = await findWorkspaceBySlug(deps.db, request.params.slug)
    if (!workspace) throw new NotFoundError(`No workspace named "${request.params.slug}"`)
    const { page } = request.query
    const [members, apps] = await Promise.all([listWorkspaceMembers(deps.db, workspace.id, listWindow(page)), listWorkspaceApps(deps.db, workspace.id)])
    const sections = [membersSection({ workspace, ...members, page }), appsSection({ apps })]
    return sendSettingsPage(request, reply, workspacePage({ workspace, sections }))
  })
}
