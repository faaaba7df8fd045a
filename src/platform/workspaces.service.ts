import { newId } from '../domain/ids.js'
import type { Clock } from '../domain/clock.js'
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js'
import { inTransaction, isUniqueViolation, type Db } from '../store/database.js'
import { toPlatformUser, toWorkspace, type Membership, type PlatformUser, type Workspace, type WorkspaceRole } from './models.js'
import { paged, type Page, type PageRequest } from './pagination.js'
import { SLUG_PATTERN } from './platform.schemas.js'
import * as queries from './workspaces.queries.js'

const SLUG = new RegExp(SLUG_PATTERN)

export interface NewWorkspace {
  slug: string
  name?: string
  members: { userId: string; role: WorkspaceRole }[]
}

/** Creates a workspace with its members (the CLI and the demo seed; the API has no such operation). */
export async function createWorkspace(db: Db, clock: Clock, input: NewWorkspace): Promise<Workspace> {
  if (!SLUG.test(input.slug)) {
    throw new BadRequestError('A workspace slug is 1–62 characters: lower-case letters, digits, "_", "." or "-", starting with a letter or digit')
  }
  const userIds = input.members.map((m) => m.userId)
  if (new Set(userIds).size !== userIds.length) throw new BadRequestError('A user can be listed only once among the members')
  const known = await queries.existingUserIds(db, userIds)
  const unknown = userIds.find((id) => !known.has(id))
  if (unknown) throw new BadRequestError(`No user with id "${unknown}"`)

  const now = clock.now()
  const workspace: Workspace = { id: newId(), slug: input.slug, name: input.name?.trim() || input.slug, createdAt: now }
  try {
    await inTransaction(db, async (trx) => {
      await queries.insertWorkspace(trx, { id: workspace.id, slug: workspace.slug, name: workspace.name, created_at: now })
      await queries.insertMembers(trx, input.members.map((m) => ({ workspace_id: workspace.id, user_id: m.userId, role: m.role, created_at: now })))
    })
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`The workspace "${input.slug}" already exists`)
    throw error
  }
  return workspace
}

/** Every workspace with its owners' and other members' usernames, for operators (the CLI). */
export async function listAllWorkspaces(db: Db): Promise<(Workspace & { owners: string[]; members: string[] })[]> {
  const [workspaces, memberships] = await Promise.all([queries.listAllWorkspaces(db), queries.listAllMemberships(db)])
  return workspaces.map((row) => {
    const of = memberships.filter((m) => m.workspace_id === row.id)
    return { ...toWorkspace(row), owners: of.filter((m) => m.role === 'owner').map((m) => m.username), members: of.filter((m) => m.role !== 'owner').map((m) => m.username) }
  })
}

/** The caller's own user. */
export async function getCurrentUser(db: Db, callerId: string): Promise<PlatformUser> {
  const user = await queries.findUserById(db, callerId)
  if (!user || user.disabled_at !== null) throw new NotFoundError('The user this token acts for no longer exists')
  return toPlatformUser(user)
}

/**
 * The workspace and the caller's role in it. Not being a member reads as "no
 * such workspace", so a token cannot probe which workspaces exist.
 */
export async function requireMembership(db: Db, callerId: string, slug: string): Promise<{ workspace: Workspace; role: WorkspaceRole }> {
  const row = await queries.findMembership(db, slug, callerId)
  if (!row) throw new NotFoundError(`No workspace "${slug}"`)
  return { workspace: toWorkspace(row), role: row.role as WorkspaceRole }
}

/** The caller's workspaces; for a token the user limited to some (`only`, slugs), just those. */
export function listWorkspacesOf(db: Db, callerId: string, request: PageRequest, only?: readonly string[]): Promise<Page<Workspace>> {
  if (only !== undefined && only.length === 0) return paged(request, async () => [], async () => 0)
  return paged(
    request,
    async (window) => (await queries.listWorkspacesOfUser(db, callerId, window, only)).map(toWorkspace),
    () => queries.countWorkspacesOfUser(db, callerId, only),
  )
}

export async function getWorkspace(db: Db, callerId: string, slug: string): Promise<Workspace> {
  return (await requireMembership(db, callerId, slug)).workspace
}

export async function listMembers(db: Db, callerId: string, slug: string, request: PageRequest): Promise<Page<Membership>> {
  const { workspace } = await requireMembership(db, callerId, slug)
  return paged(
    request,
    async (window) =>
      (await queries.listMembers(db, workspace.id, window)).map((row) => ({ workspace, user: toPlatformUser(row), role: row.role as WorkspaceRole })),
    () => queries.countMembers(db, workspace.id),
  )
}
