import type { Insertable, Updateable } from 'kysely'
import type { Db } from '../store/database.js'
import type { RepositoryTable } from '../store/schema.js'

interface Window {
  limit: number
  offset: number
}

export async function insertRepository(db: Db, row: Insertable<RepositoryTable>): Promise<void> {
  await db.insertInto('repositories').values(row).execute()
}

export function findRepositoryById(db: Db, id: string) {
  return db.selectFrom('repositories').selectAll().where('id', '=', id).executeTakeFirst()
}

export function findRepository(db: Db, workspaceId: string, slug: string) {
  return db.selectFrom('repositories').selectAll().where('workspace_id', '=', workspaceId).where('slug', '=', slug).executeTakeFirst()
}

export function listRepositories(db: Db, workspaceId: string, { limit, offset }: Window) {
  return db.selectFrom('repositories').selectAll().where('workspace_id', '=', workspaceId).orderBy('slug').limit(limit).offset(offset).execute()
}

export async function countRepositories(db: Db, workspaceId: string): Promise<number> {
  const row = await db
    .selectFrom('repositories')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

export async function updateRepository(db: Db, id: string, changes: Updateable<RepositoryTable>): Promise<void> {
  await db.updateTable('repositories').set(changes).where('id', '=', id).execute()
}

/** Its issues and their comments go with it (foreign keys cascade). */
export async function deleteRepository(db: Db, id: string): Promise<void> {
  await db.deleteFrom('repositories').where('id', '=', id).execute()
}
