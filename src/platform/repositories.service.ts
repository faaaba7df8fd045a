import { newId } from '../domain/ids.js'
import type { Clock } from '../domain/clock.js'
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors.js'
import { isUniqueViolation, type Db } from '../store/database.js'
import type { RepositoryTable } from '../store/schema.js'
import { toWorkspace, type Repository, type Workspace } from './models.js'
import { paged, type Page, type PageRequest } from './pagination.js'
import { SLUG_PATTERN, type RepositoryCreateBody, type RepositoryParams, type RepositoryUpdateBody } from './platform.schemas.js'
import * as queries from './repositories.queries.js'
import { requireMembership } from './workspaces.service.js'
import { findWorkspaceById } from './workspaces.queries.js'

const SLUG = new RegExp(SLUG_PATTERN)

export interface NewRepository {
  workspaceId: string
  slug: string
  name?: string
  description?: string
  isPrivate?: boolean
}

/** Creates a repository in a workspace, with no access check (the CLI and the demo seed; the API goes through `createRepositoryAsMember`). */
export async function createRepository(db: Db, clock: Clock, input: NewRepository): Promise<Repository> {
  if (!SLUG.test(input.slug)) {
    throw new BadRequestError('A repository slug is 1–62 characters: lower-case letters, digits, "_", "." or "-", starting with a letter or digit')
  }
  const workspace = await findWorkspaceById(db, input.workspaceId)
  if (!workspace) throw new NotFoundError(`No workspace with id "${input.workspaceId}"`)
  const now = clock.now()
  const row = {
    id: newId(),
    workspace_id: workspace.id,
    slug: input.slug,
    name: input.name ?? input.slug,
    description: input.description ?? '',
    is_private: input.isPrivate === false ? 0 : 1,
    created_at: now,
    updated_at: now,
  }
  try {
    await queries.insertRepository(db, row)
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(`The repository "${workspace.slug}/${input.slug}" already exists`)
    throw error
  }
  return toRepository(row, toWorkspace(workspace))
}

export async function createRepositoryAsMember(db: Db, clock: Clock, callerId: string, params: RepositoryParams, body: RepositoryCreateBody): Promise<Repository> {
  const { workspace } = await requireMembership(db, callerId, params.workspace)
  return createRepository(db, clock, {
    workspaceId: workspace.id,
    slug: params.repo_slug,
    name: body.name,
    description: body.description,
    isPrivate: body.is_private,
  })
}

export async function listRepositories(db: Db, callerId: string, workspaceSlug: string, request: PageRequest): Promise<Page<Repository>> {
  const { workspace } = await requireMembership(db, callerId, workspaceSlug)
  return paged(
    request,
    async (window) => (await queries.listRepositories(db, workspace.id, window)).map((row) => toRepository(row, workspace)),
    () => queries.countRepositories(db, workspace.id),
  )
}

/** The repository, if the caller is a member of its workspace; otherwise "not found", as for a missing one. */
export async function getRepository(db: Db, callerId: string, params: RepositoryParams): Promise<Repository> {
  return (await findAsMember(db, callerId, params)).repository
}

export async function updateRepository(db: Db, clock: Clock, callerId: string, params: RepositoryParams, changes: RepositoryUpdateBody): Promise<Repository> {
  const { repository } = await findAsMember(db, callerId, params)
  const updated: Repository = {
    ...repository,
    name: changes.name ?? repository.name,
    description: changes.description ?? repository.description,
    updatedAt: clock.now(),
  }
  await queries.updateRepository(db, repository.id, { name: updated.name, description: updated.description, updated_at: updated.updatedAt })
  return updated
}

/** Only an owner of the workspace may delete; its issues and comments go with it. */
export async function deleteRepository(db: Db, callerId: string, params: RepositoryParams): Promise<void> {
  const { repository, role } = await findAsMember(db, callerId, params)
  if (role !== 'owner') throw new ForbiddenError(`Only an owner of the workspace "${params.workspace}" can delete its repositories`)
  await queries.deleteRepository(db, repository.id)
}

export async function findRepositoryById(db: Db, id: string): Promise<Repository | undefined> {
  const row = await queries.findRepositoryById(db, id)
  const workspace = row && (await findWorkspaceById(db, row.workspace_id))
  return row && workspace ? toRepository(row, toWorkspace(workspace)) : undefined
}

async function findAsMember(db: Db, callerId: string, params: RepositoryParams) {
  const { workspace, role } = await requireMembership(db, callerId, params.workspace)
  const row = await queries.findRepository(db, workspace.id, params.repo_slug)
  if (!row) throw new NotFoundError(`No repository "${params.workspace}/${params.repo_slug}"`)
  return { repository: toRepository(row, workspace), role }
}

function toRepository(row: Omit<RepositoryTable, 'workspace_id'>, workspace: Workspace): Repository {
  return {
    id: row.id,
    workspace,
    slug: row.slug,
    name: row.name,
    description: row.description,
    isPrivate: row.is_private === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
