import type { Clock } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js'
import { SLUG_PATTERN } from '../platform/platform.schemas.js'
import type { Db } from '../store/database.js'
import { removeInstallationsOf, type InstallationDeps } from './installations.service.js'

/**
 * A workspace's content as a file: what `workspace export` writes and `workspace import` and
 * `workspace restore` read. People are named by username (ids differ between deployments); the
 * workspace's id and tenant say where it came from, which decides lineage. Installations are
 * listed for the record (their secrets never leave the database).
 */
export interface WorkspaceExport {
  format: typeof FORMAT
  version: 1
  exportedAt: string
  /** The deployment it was exported from. */
  issuer: string
  workspace: { id: string; slug: string; name: string; tenantId: string; createdAt: number }
  members: { username: string; role: 'owner' | 'member' }[]
  repositories: ExportedRepository[]
  installations: { app: string; clientKey: string; oauthClientId: string; state: string }[]
}

interface ExportedRepository {
  slug: string
  name: string
  description: string
  isPrivate: boolean
  createdAt: number
  updatedAt: number
  issues: ExportedIssue[]
}

interface ExportedIssue {
  number: number
  title: string
  content: string
  state: string
  reporter: string
  createdAt: number
  updatedAt: number
  comments: { author: string; content: string; createdAt: number }[]
}

export interface TransferResult {
  workspace: { id: string; slug: string; name: string; tenantId: string; previousTenantId: string | null }
  created: boolean
  repositories: number
  issues: number
  comments: number
  /** Members of the file with no account of that username here: skipped. */
  unknownMembers: string[]
  /** Authors of the file with no account here: their issues and comments are attributed to the fallback author. */
  unknownAuthors: string[]
  /** Installations the import removed (no uninstall callback). */
  removedInstallations: { appKey: string; clientKey: string }[]
  /** Installations a restore kept. */
  keptInstallations: number
}

export type TransferDeps = Pick<InstallationDeps, 'db' | 'clock' | 'revocations' | 'accessTokenTtlSeconds'>

const FORMAT = 'gatehouse-workspace-export'
const SLUG = new RegExp(SLUG_PATTERN)

export async function exportWorkspace(db: Db, clock: Clock, issuer: string, slug: string): Promise<WorkspaceExport> {
  const workspace = await db.selectFrom('workspaces').selectAll().where('slug', '=', slug).executeTakeFirst()
  if (!workspace) throw new NotFoundError(`no workspace has the slug "${slug}"`)
  const members = await db
    .selectFrom('workspace_members')
    .innerJoin('users', 'users.id', 'workspace_members.user_id')
    .select(['users.username', 'workspace_members.role'])
    .where('workspace_members.workspace_id', '=', workspace.id)
    .where('users.kind', '=', 'person')
    .orderBy('users.username')
    .execute()
  const repositories = await db.selectFrom('repositories').selectAll().where('workspace_id', '=', workspace.id).orderBy('slug').execute()
  const issues = await db
    .selectFrom('issues')
    .innerJoin('repositories', 'repositories.id', 'issues.repository_id')
    .innerJoin('users', 'users.id', 'issues.reporter_id')
    .selectAll('issues')
    .select('users.username as reporter')
    .where('repositories.workspace_id', '=', workspace.id)
    .orderBy('issues.number')
    .execute()
  const comments = await db
    .selectFrom('issue_comments')
    .innerJoin('issues', 'issues.id', 'issue_comments.issue_id')
    .innerJoin('repositories', 'repositories.id', 'issues.repository_id')
    .innerJoin('users', 'users.id', 'issue_comments.author_id')
    .selectAll('issue_comments')
    .select('users.username as author')
    .where('repositories.workspace_id', '=', workspace.id)
    .orderBy('issue_comments.created_at')
    .execute()
  const installations = await db
    .selectFrom('installations')
    .innerJoin('descriptors', 'descriptors.app_id', 'installations.app_id')
    .select(['descriptors.key', 'installations.client_key', 'installations.oauth_client_id', 'installations.state'])
    .where('installations.workspace_id', '=', workspace.id)
    .where('installations.state', 'in', ['installed', 'disabled'])
    .execute()
  return {
    format: FORMAT,
    version: 1,
    exportedAt: new Date(clock.now()).toISOString(),
    issuer,
    workspace: { id: workspace.id, slug: workspace.slug, name: workspace.name, tenantId: workspace.tenant_id ?? workspace.id, createdAt: workspace.created_at },
    members: members.map((m) => ({ username: m.username, role: m.role === 'owner' ? 'owner' : 'member' })),
    repositories: repositories.map((repo) => ({
      slug: repo.slug,
      name: repo.name,
      description: repo.description,
      isPrivate: repo.is_private === 1,
      createdAt: repo.created_at,
      updatedAt: repo.updated_at,
      issues: issues
        .filter((issue) => issue.repository_id === repo.id)
        .map((issue) => ({
          number: issue.number,
          title: issue.title,
          content: issue.content,
          state: issue.state,
          reporter: issue.reporter,
          createdAt: issue.created_at,
          updatedAt: issue.updated_at,
          comments: comments.filter((c) => c.issue_id === issue.id).map((c) => ({ author: c.author, content: c.content, createdAt: c.created_at })),
        })),
    })),
    installations: installations.map((i) => ({ app: i.key, clientKey: i.client_key, oauthClientId: i.oauth_client_id, state: i.state })),
  }
}

/**
 * Imports a file into the workspace `slug` (made if missing) as a new tenant, as a site import does
 * on the reference platform: its content is replaced by the file's, its installations are removed
 * without uninstall callbacks, and apps installed afterwards get a new clientKey and oauthClientId.
 * Unlike the reference, the workspace remembers the tenant the content came from, so an app
 * installed again is told the clientKey it had there (`previousClientKey`).
 */
export async function importWorkspace(deps: TransferDeps, file: unknown, into: { slug: string; fallbackAuthor?: string }): Promise<TransferResult> {
  const data = parseExport(file)
  // Revocations are announced to other processes only once the import has committed.
  let announcements: (() => void)[] = []
  const result = await deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now()
    let workspace = await trx.selectFrom('workspaces').selectAll().where('slug', '=', into.slug).executeTakeFirst()
    const created = workspace === undefined
    const tenantId = newId()
    if (!workspace) {
      if (!SLUG.test(into.slug)) throw new BadRequestError('A workspace slug is 1–62 characters: lower-case letters, digits, "_", "." or "-", starting with a letter or digit')
      const id = newId()
      await trx.insertInto('workspaces').values({ id, slug: into.slug, name: data.workspace.name, created_at: now, tenant_id: tenantId, previous_tenant_id: data.workspace.tenantId }).execute()
      workspace = await trx.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirstOrThrow()
    } else {
      await trx.updateTable('workspaces').set({ tenant_id: tenantId, previous_tenant_id: data.workspace.tenantId }).where('id', '=', workspace.id).execute()
    }
    const removal = await removeInstallationsOf(deps, trx, workspace.id)
    const content = await replaceContent(trx, now, workspace.id, data, into.fallbackAuthor)
    announcements = removal.announcements
    return {
      workspace: { id: workspace.id, slug: workspace.slug, name: workspace.name, tenantId, previousTenantId: data.workspace.tenantId },
      created,
      ...content,
      removedInstallations: removal.removed,
      keptInstallations: 0,
    }
  })
  for (const announce of announcements) announce()
  return result
}

/**
 * Restores a backup of the same workspace: its identity (id, tenant) and installations stay, and its
 * content becomes the file's. A workspace deleted since is made again with its id and tenant, so
 * apps installed again keep their clientKey. A file of another tenant (the workspace was imported
 * over since) is refused: that is an import.
 */
export async function restoreWorkspace(deps: TransferDeps, file: unknown, options: { fallbackAuthor?: string }): Promise<TransferResult> {
  const data = parseExport(file)
  return deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now()
    let workspace = await trx.selectFrom('workspaces').selectAll().where('id', '=', data.workspace.id).executeTakeFirst()
    const created = workspace === undefined
    if (!workspace) {
      if (await trx.selectFrom('workspaces').select('id').where('slug', '=', data.workspace.slug).executeTakeFirst()) {
        throw new ConflictError(`the backup is of workspace ${data.workspace.slug} (id ${data.workspace.id}), which no longer exists, and another workspace now has that slug; import it instead (gatehouse workspace import <file> --into <slug>)`)
      }
      await trx.insertInto('workspaces').values({ id: data.workspace.id, slug: data.workspace.slug, name: data.workspace.name, created_at: data.workspace.createdAt, tenant_id: data.workspace.tenantId, previous_tenant_id: null }).execute()
      workspace = await trx.selectFrom('workspaces').selectAll().where('id', '=', data.workspace.id).executeTakeFirstOrThrow()
    }
    const tenantId = workspace.tenant_id ?? workspace.id
    if (tenantId !== data.workspace.tenantId) {
      throw new ConflictError(`the backup is of tenant ${data.workspace.tenantId}, but workspace ${workspace.slug} is now tenant ${tenantId} (it was imported over since); restoring would mix them, so import the file instead`)
    }
    const content = await replaceContent(trx, now, workspace.id, data, options.fallbackAuthor)
    const kept = await trx.selectFrom('installations').select('id').where('workspace_id', '=', workspace.id).where('state', 'in', ['installed', 'disabled']).execute()
    return {
      workspace: { id: workspace.id, slug: workspace.slug, name: workspace.name, tenantId, previousTenantId: workspace.previous_tenant_id },
      created,
      ...content,
      removedInstallations: [],
      keptInstallations: kept.length,
    }
  })
}

/** Replaces the workspace's repositories, issues and comments with the file's, and adds its members that have accounts here. */
async function replaceContent(trx: Db, now: number, workspaceId: string, data: WorkspaceExport, fallbackAuthor: string | undefined) {
  const usernames = new Set<string>([...data.members.map((m) => m.username), ...data.repositories.flatMap((r) => r.issues.flatMap((i) => [i.reporter, ...i.comments.map((c) => c.author)]))])
  const users = usernames.size === 0 ? [] : await trx.selectFrom('users').select(['id', 'username', 'kind']).where('username', 'in', [...usernames]).execute()
  const idOf = new Map(users.filter((u) => u.kind === 'person').map((u) => [u.username, u.id]))
  // Unknown authors' work is attributed to the named account, or to the file's first owner (then member) who has one here.
  const byRole = [...data.members].sort((a, b) => (a.role === b.role ? 0 : a.role === 'owner' ? -1 : 1))
  const fallbackId = fallbackAuthor === undefined ? byRole.map((m) => idOf.get(m.username)).find((id) => id !== undefined) : (await trx.selectFrom('users').select('id').where('username', '=', fallbackAuthor).where('kind', '=', 'person').executeTakeFirst())?.id
  if (fallbackAuthor !== undefined && fallbackId === undefined) throw new BadRequestError(`no user named "${fallbackAuthor}" to attribute the work of unknown authors to`)
  const unknownAuthors = new Set<string>()
  const author = (username: string) => {
    const id = idOf.get(username)
    if (id !== undefined) return id
    unknownAuthors.add(username)
    if (fallbackId === undefined) throw new BadRequestError(`"${username}" wrote issues or comments in the file but has no account here, nor does any member of the file; create the account, or name one to attribute such work to (--attribute-unknown-to <username>)`)
    return fallbackId
  }

  const existing = await trx.selectFrom('workspace_members').select('user_id').where('workspace_id', '=', workspaceId).execute()
  const present = new Set(existing.map((m) => m.user_id))
  const unknownMembers: string[] = []
  for (const member of data.members) {
    const id = idOf.get(member.username)
    if (id === undefined) unknownMembers.push(member.username)
    else if (!present.has(id)) await trx.insertInto('workspace_members').values({ workspace_id: workspaceId, user_id: id, role: member.role, created_at: now }).execute()
  }

  await trx.deleteFrom('repositories').where('workspace_id', '=', workspaceId).execute()
  let issues = 0
  let comments = 0
  for (const repo of data.repositories) {
    const repositoryId = newId()
    await trx.insertInto('repositories').values({ id: repositoryId, workspace_id: workspaceId, slug: repo.slug, name: repo.name, description: repo.description, is_private: repo.isPrivate ? 1 : 0, created_at: repo.createdAt, updated_at: repo.updatedAt }).execute()
    for (const issue of repo.issues) {
      const issueId = newId()
      await trx.insertInto('issues').values({ id: issueId, repository_id: repositoryId, number: issue.number, title: issue.title, content: issue.content, state: issue.state, reporter_id: author(issue.reporter), created_at: issue.createdAt, updated_at: issue.updatedAt }).execute()
      issues++
      for (const comment of issue.comments) {
        await trx.insertInto('issue_comments').values({ id: newId(), issue_id: issueId, author_id: author(comment.author), content: comment.content, created_at: comment.createdAt }).execute()
        comments++
      }
    }
  }
  return { repositories: data.repositories.length, issues, comments, unknownMembers, unknownAuthors: [...unknownAuthors].sort() }
}

/** The file, checked enough that a wrong or damaged one is refused before anything changes. */
function parseExport(file: unknown): WorkspaceExport {
  const data = file as Partial<WorkspaceExport> | null
  if (typeof data !== 'object' || data === null || data.format !== FORMAT) throw new BadRequestError(`the file is not a workspace export (its "format" must be "${FORMAT}"; make one with gatehouse workspace export <slug>)`)
  if (data.version !== 1) throw new BadRequestError(`the export is version ${String(data.version)}; this Gatehouse reads version 1`)
  const w = data.workspace
  if (!w || typeof w.id !== 'string' || typeof w.tenantId !== 'string' || typeof w.slug !== 'string' || typeof w.name !== 'string' || typeof w.createdAt !== 'number') {
    throw new BadRequestError('the export\'s "workspace" must have id, tenantId, slug, name and createdAt')
  }
  if (!Array.isArray(data.members) || !Array.isArray(data.repositories)) throw new BadRequestError('the export must have "members" and "repositories" lists')
  for (const [index, repo] of data.repositories.entries()) {
    if (typeof repo?.slug !== 'string' || typeof repo.name !== 'string' || !Array.isArray(repo.issues)) throw new BadRequestError(`repositories[${index}] must have slug, name and issues`)
    for (const [n, issue] of repo.issues.entries()) {
      if (typeof issue?.number !== 'number' || typeof issue.title !== 'string' || typeof issue.reporter !== 'string' || !Array.isArray(issue.comments)) {
        throw new BadRequestError(`repositories[${index}].issues[${n}] must have number, title, reporter and comments`)
      }
    }
  }
  return { installations: [], ...data } as WorkspaceExport
}
