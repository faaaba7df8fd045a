import type { Insertable, Updateable } from 'kysely'
import type { Db } from '../store/database.js'
import type { IssueCommentTable, IssueTable } from '../store/schema.js'

interface Window {
  limit: number
  offset: number
}

// An issue or comment row with its author's public fields.
const issueColumns = [
  'issues.id',
  'issues.repository_id',
  'issues.number',
  'issues.title',
  'issues.content',
  'issues.state',
  'issues.created_at',
  'issues.updated_at',
  'users.id as author_id',
  'users.username as author_username',
  'users.display_name as author_display_name',
  'users.created_at as author_created_at',
] as const

const commentColumns = [
  'issue_comments.id',
  'issue_comments.content',
  'issue_comments.created_at',
  'users.id as author_id',
  'users.username as author_username',
  'users.display_name as author_display_name',
  'users.created_at as author_created_at',
] as const

export async function nextIssueNumber(db: Db, repositoryId: string): Promise<number> {
  const row = await db
    .selectFrom('issues')
    .select((eb) => eb.fn.max<number | null>('number').as('last'))
    .where('repository_id', '=', repositoryId)
    .executeTakeFirst()
  return Number(row?.last ?? 0) + 1
}

export async function insertIssue(db: Db, row: Insertable<IssueTable>): Promise<void> {
  await db.insertInto('issues').values(row).execute()
}

export function findIssue(db: Db, repositoryId: string, number: number) {
  return db
    .selectFrom('issues')
    .innerJoin('users', 'users.id', 'issues.reporter_id')
    .select(issueColumns)
    .where('issues.repository_id', '=', repositoryId)
    .where('issues.number', '=', number)
    .executeTakeFirst()
}

export function listIssues(db: Db, repositoryId: string, { limit, offset }: Window) {
  return db
    .selectFrom('issues')
    .innerJoin('users', 'users.id', 'issues.reporter_id')
    .select(issueColumns)
    .where('issues.repository_id', '=', repositoryId)
    .orderBy('issues.number')
    .limit(limit)
    .offset(offset)
    .execute()
}

export async function countIssues(db: Db, repositoryId: string): Promise<number> {
  const row = await db
    .selectFrom('issues')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('repository_id', '=', repositoryId)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

export async function updateIssue(db: Db, id: string, changes: Updateable<IssueTable>): Promise<void> {
  await db.updateTable('issues').set(changes).where('id', '=', id).execute()
}

export async function insertComment(db: Db, row: Insertable<IssueCommentTable>): Promise<void> {
  await db.insertInto('issue_comments').values(row).execute()
}

export function findComment(db: Db, id: string) {
  return db
    .selectFrom('issue_comments')
    .innerJoin('users', 'users.id', 'issue_comments.author_id')
    .select(commentColumns)
    .where('issue_comments.id', '=', id)
    .executeTakeFirst()
}

export function listComments(db: Db, issueId: string, { limit, offset }: Window) {
  return db
    .selectFrom('issue_comments')
    .innerJoin('users', 'users.id', 'issue_comments.author_id')
    .select(commentColumns)
    .where('issue_comments.issue_id', '=', issueId)
    .orderBy('issue_comments.created_at')
    .orderBy('issue_comments.id')
    .limit(limit)
    .offset(offset)
    .execute()
}

export async function countComments(db: Db, issueId: string): Promise<number> {
  const row = await db
    .selectFrom('issue_comments')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('issue_id', '=', issueId)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}
