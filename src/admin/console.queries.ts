import { sql, type Expression, type SqlBool } from 'kysely'
import { toApp, type App } from '../apps/app.js'
import type { Db } from '../store/database.js'

/**
 * What the admin console lists: every account, app and workspace, searched and a page at a time.
 * Reads only; the changes go through accounts.service.ts.
 */
export interface ListWindow {
  limit: number
  offset: number
}

export interface Listed<T> {
  rows: T[]
  total: number
}

export interface UserListRow {
  id: string
  username: string
  display_name: string
  is_admin: number
  created_at: number
  disabled_at: number | null
  /** 'person', or 'app': an installed app's account, managed by its installation. */
  kind: string
}

export interface ConsoleApp extends App {
  ownerUsername: string | null
  workspaceSlug: string | null
}

export interface WorkspaceListRow {
  id: string
  slug: string
  name: string
  created_at: number
  members: number
  apps: number
}

export interface WorkspaceMemberRow {
  user_id: string
  username: string
  display_name: string
  disabled_at: number | null
  role: string
  joined_at: number
}

/** Accounts whose username or display name contains `query` (any case), by username. */
export async function searchUsers(db: Db, query: string, { limit, offset }: ListWindow): Promise<Listed<UserListRow>> {
  const matching = db.selectFrom('users').$if(query !== '', (q) => q.where((eb) => eb.or([contains(eb.ref('username'), query), contains(eb.ref('display_name'), query)])))
  const [rows, count] = await Promise.all([
    matching.select(['id', 'username', 'display_name', 'is_admin', 'created_at', 'disabled_at', 'kind']).orderBy('username').limit(limit).offset(offset).execute(),
    matching.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

/** Apps whose name or client_id contains `query` (any case), newest first, with their owner's username and workspace's slug. */
export async function searchApps(db: Db, query: string, { limit, offset }: ListWindow): Promise<Listed<ConsoleApp>> {
  const matching = db
    .selectFrom('apps')
    .leftJoin('users as owner', 'owner.id', 'apps.owner_id')
    .leftJoin('workspaces as workspace', 'workspace.id', 'apps.workspace_id')
    .$if(query !== '', (q) => q.where((eb) => eb.or([contains(eb.ref('apps.name'), query), contains(eb.ref('apps.client_id'), query)])))
  const [rows, count] = await Promise.all([
    matching
      .selectAll('apps')
      .select(['owner.username as owner_username', 'owner.disabled_at as owner_disabled_at', 'workspace.slug as workspace_slug'])
      .orderBy('apps.created_at', 'desc')
      .orderBy('apps.client_id')
      .limit(limit)
      .offset(offset)
      .execute(),
    matching.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows: rows.map((row) => ({ ...toApp(row), ownerUsername: row.owner_username, workspaceSlug: row.workspace_slug })), total: Number(count.n) }
}

/** Every workspace by slug, with how many members and apps each has. */
export async function listWorkspaces(db: Db, { limit, offset }: ListWindow): Promise<Listed<WorkspaceListRow>> {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('workspaces as w')
      .select((eb) => [
        'w.id', 'w.slug', 'w.name', 'w.created_at',
        eb.selectFrom('workspace_members as m').select((m) => m.fn.countAll<number | string>().as('n')).whereRef('m.workspace_id', '=', 'w.id').as('members'),
        eb.selectFrom('apps as a').select((a) => a.fn.countAll<number | string>().as('n')).whereRef('a.workspace_id', '=', 'w.id').as('apps'),
      ])
      .orderBy('w.slug')
      .limit(limit)
      .offset(offset)
      .execute(),
    db.selectFrom('workspaces').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
  ])
  return { rows: rows.map((row) => ({ ...row, members: Number(row.members), apps: Number(row.apps) })), total: Number(count.n) }
}

export function findWorkspaceBySlug(db: Db, slug: string) {
  return db.selectFrom('workspaces').selectAll().where('slug', '=', slug).executeTakeFirst()
}

/** A workspace's members, owners first, then by username. */
export async function listWorkspaceMembers(db: Db, workspaceId: string, { limit, offset }: ListWindow): Promise<Listed<WorkspaceMemberRow>> {
  const [rows, count] = await Promise.all([
    db
      .selectFrom('workspace_members as m')
      .innerJoin('users as u', 'u.id', 'm.user_id')
      .select(['u.id as user_id', 'u.username', 'u.display_name', 'u.disabled_at', 'm.role', 'm.created_at as joined_at'])
      .where('m.workspace_id', '=', workspaceId)
      .orderBy(sql`case when m.role = 'owner' then 0 else 1 end`)
      .orderBy('u.username')
      .limit(limit)
      .offset(offset)
      .execute(),
    db.selectFrom('workspace_members').select((eb) => eb.fn.countAll<number | string>().as('n')).where('workspace_id', '=', workspaceId).executeTakeFirstOrThrow(),
  ])
  return { rows, total: Number(count.n) }
}

/** The apps that belong to a workspace, by name. */
export async function listWorkspaceApps(db: Db, workspaceId: string): Promise<App[]> {
  const rows = await db.selectFrom('apps').selectAll().where('workspace_id', '=', workspaceId).orderBy('name').orderBy('client_id').execute()
  return rows.map(toApp)
}

/**
 * `column` contains `text`, ignoring case, on both databases: PostgreSQL's LIKE is case-sensitive
 * and SQLite's is not, so both sides are lower-cased; `%`, `_` and `\` in the text match themselves.
 */
function contains(column: Expression<string>, text: string): Expression<SqlBool> {
  const pattern = `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
  return sql<SqlBool>`lower(${column}) like ${pattern} escape '\\'`
}
