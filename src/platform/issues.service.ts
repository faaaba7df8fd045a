import { newId } from '../domain/ids.js'
import type { Clock } from '../domain/clock.js'
import { ConflictError, NotFoundError } from '../errors.js'
import { isUniqueViolation, type Db } from '../store/database.js'
import * as queries from './issues.queries.js'
import { toAuthor, type Issue, type IssueComment, type Repository } from './models.js'
import { paged, type Page, type PageRequest } from './pagination.js'
import type { IssueCreateBody, IssueParams, IssueState, IssueUpdateBody, RepositoryParams } from './platform.schemas.js'
import { findRepositoryById, getRepository } from './repositories.service.js'

export interface NewIssue {
  repositoryId: string
  reporterId: string
  title: string
  content?: string
  state?: IssueState
}

// Numbers are per repository (max + 1); two concurrent reports may pick the same one, and the loser retries.
const NUMBERING_ATTEMPTS = 5

/** Reports an issue with no access check (the CLI and the demo seed; the API goes through `reportIssue`). */
export async function createIssue(db: Db, clock: Clock, input: NewIssue): Promise<Issue> {
  const repository = await findRepositoryById(db, input.repositoryId)
  if (!repository) throw new NotFoundError(`No repository with id "${input.repositoryId}"`)
  return insertNumbered(db, clock, repository, input)
}

export async function reportIssue(db: Db, clock: Clock, callerId: string, params: RepositoryParams, body: IssueCreateBody): Promise<Issue> {
  const repository = await getRepository(db, callerId, params)
  return insertNumbered(db, clock, repository, { repositoryId: repository.id, reporterId: callerId, title: body.title, content: body.content?.raw, state: body.state })
}

export async function listIssues(db: Db, callerId: string, params: RepositoryParams, request: PageRequest): Promise<Page<Issue>> {
  const repository = await getRepository(db, callerId, params)
  return paged(
    request,
    async (window) => (await queries.listIssues(db, repository.id, window)).map((row) => toIssue(row, repository)),
    () => queries.countIssues(db, repository.id),
  )
}

export async function getIssue(db: Db, callerId: string, params: IssueParams): Promise<Issue> {
  const repository = await getRepository(db, callerId, params)
  return findIssue(db, repository, params.issue_id)
}

export async function updateIssue(db: Db, clock: Clock, callerId: string, params: IssueParams, changes: IssueUpdateBody): Promise<Issue> {
  const issue = await getIssue(db, callerId, params)
  const updated: Issue = {
    ...issue,
    title: changes.title ?? issue.title,
    content: changes.content?.raw ?? issue.content,
    state: changes.state ?? issue.state,
    updatedAt: clock.now(),
  }
  await queries.updateIssue(db, issue.id, { title: updated.title, content: updated.content, state: updated.state, updated_at: updated.updatedAt })
  return updated
}

export async function listComments(db: Db, callerId: string, params: IssueParams, request: PageRequest): Promise<Page<IssueComment>> {
  const issue = await getIssue(db, callerId, params)
  return paged(
    request,
    async (window) => (await queries.listComments(db, issue.id, window)).map((row) => toComment(row, issue.number)),
    () => queries.countComments(db, issue.id),
  )
}

export async function addComment(db: Db, clock: Clock, callerId: string, params: IssueParams, content: string): Promise<IssueComment> {
  const issue = await getIssue(db, callerId, params)
  const id = newId()
  await queries.insertComment(db, { id, issue_id: issue.id, author_id: callerId, content, created_at: clock.now() })
  const row = await queries.findComment(db, id)
  return toComment(row!, issue.number)
}

async function insertNumbered(db: Db, clock: Clock, repository: Repository, input: NewIssue): Promise<Issue> {
  const now = clock.now()
  const id = newId()
  for (let attempt = 1; ; attempt++) {
    try {
      const number = await queries.nextIssueNumber(db, repository.id)
      await queries.insertIssue(db, {
        id,
        repository_id: repository.id,
        number,
        title: input.title,
        content: input.content ?? '',
        state: input.state ?? 'new',
        reporter_id: input.reporterId,
        created_at: now,
        updated_at: now,
      })
      return findIssue(db, repository, number)
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
      if (attempt === NUMBERING_ATTEMPTS) throw new ConflictError('Too many issues are being reported at once; try again')
    }
  }
}

async function findIssue(db: Db, repository: Repository, number: number): Promise<Issue> {
  const row = await queries.findIssue(db, repository.id, number)
  if (!row) throw new NotFoundError(`No issue #${number} in "${repository.workspace.slug}/${repository.slug}"`)
  return toIssue(row, repository)
}

type IssueRow = NonNullable<Awaited<ReturnType<typeof queries.findIssue>>>
type CommentRow = NonNullable<Awaited<ReturnType<typeof queries.findComment>>>

function toIssue(row: IssueRow, repository: Repository): Issue {
  return {
    id: row.id,
    number: row.number,
    repository,
    title: row.title,
    content: row.content,
    state: row.state as IssueState,
    reporter: toAuthor(row),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

function toComment(row: CommentRow, issueNumber: number): IssueComment {
  return { id: row.id, issueNumber, author: toAuthor(row), content: row.content, createdAt: row.created_at }
}
