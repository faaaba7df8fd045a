import type { Db } from '../store/database.js'
import type { NewUser } from '../store/schema.js'

export async function insertUser(db: Db, user: NewUser): Promise<void> {
  await db.insertInto('users').values(user).execute()
}

export function findUserByUsername(db: Db, username: string) {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst()
}

export function findUserById(db: Db, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
}

export function listUsers(db: Db) {
  return db.selectFrom('users').selectAll().orderBy('username').execute()
}

export async function countUsers(db: Db): Promise<number> {
  const row = await db.selectFrom('users').select((eb) => eb.fn.countAll<number | string>().as('count')).executeTakeFirstOrThrow()
  return Number(row.count)
}

export async function setUserDisabledAt(db: Db, id: string, disabledAt: number | null): Promise<void> {
  await db.updateTable('users').set({ disabled_at: disabledAt }).where('id', '=', id).execute()
}

export async function setUserDisplayName(db: Db, id: string, displayName: string): Promise<void> {
  await db.updateTable('users').set({ display_name: displayName }).where('id', '=', id).execute()
}

export async function setUserPasswordHash(db: Db, id: string, passwordHash: string): Promise<void> {
  await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute()
}

export async function setUserAdmin(db: Db, id: string, isAdmin: boolean): Promise<void> {
  await db.updateTable('users').set({ is_admin: isAdmin ? 1 : 0 }).where('id', '=', id).execute()
}

/** Administrators other than `exceptId` who can still act (not disabled). */
export async function countOtherActiveAdmins(db: Db, exceptId: string): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('is_admin', '=', 1)
    .where('disabled_at', 'is', null)
    .where('id', '!=', exceptId)
    .executeTakeFirstOrThrow()
  return Number(row.count)
}

/** Ends every session of the user; how many there were. */
export async function deleteUserSessions(db: Db, userId: string): Promise<number> {
  const [result] = await db.deleteFrom('sessions').where('user_id', '=', userId).execute()
  return Number(result?.numDeletedRows ?? 0)
}

/** The workspaces `userId` belongs to, with how many others belong and own each. */
export function listMembershipsWithOthers(db: Db, userId: string) {
  return db
    .selectFrom('workspace_members as m')
    .innerJoin('workspaces as w', 'w.id', 'm.workspace_id')
    .select((eb) => [
      'w.id', 'w.slug', 'm.role',
      eb.selectFrom('workspace_members as o').select((o) => o.fn.countAll<number | string>().as('n'))
        .whereRef('o.workspace_id', '=', 'm.workspace_id').where('o.user_id', '!=', userId).as('others'),
      eb.selectFrom('workspace_members as o').select((o) => o.fn.countAll<number | string>().as('n'))
        .whereRef('o.workspace_id', '=', 'm.workspace_id').where('o.user_id', '!=', userId).where('o.role', '=', 'owner').as('other_owners'),
    ])
    .where('m.user_id', '=', userId)
    .orderBy('w.slug')
    .execute()
}

/** Issues and comments `userId` wrote outside the workspaces in `except` (which go with the account). */
export async function countAuthoredContentOutside(db: Db, userId: string, except: string[]): Promise<number> {
  const issues = await db
    .selectFrom('issues as i')
    .innerJoin('repositories as r', 'r.id', 'i.repository_id')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('i.reporter_id', '=', userId)
    .$if(except.length > 0, (q) => q.where('r.workspace_id', 'not in', except))
    .executeTakeFirstOrThrow()
  const comments = await db
    .selectFrom('issue_comments as c')
    .innerJoin('issues as i', 'i.id', 'c.issue_id')
    .innerJoin('repositories as r', 'r.id', 'i.repository_id')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('c.author_id', '=', userId)
    .$if(except.length > 0, (q) => q.where('r.workspace_id', 'not in', except))
    .executeTakeFirstOrThrow()
  return Number(issues.n) + Number(comments.n)
}

export async function deleteWorkspaces(db: Db, ids: string[]): Promise<void> {
  if (ids.length > 0) await db.deleteFrom('workspaces').where('id', 'in', ids).execute()
}

/** Deletes the account; sessions, grants (with their codes and tokens) and memberships go with it, owned apps lose their owner. */
export async function deleteUserRow(db: Db, id: string): Promise<void> {
  await db.deleteFrom('users').where('id', '=', id).execute()
}
