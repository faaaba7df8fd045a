import type { Db } from '../store/database.js'
import type { GroupRow } from '../store/schema.js'

export async function insertGroup(db: Db, group: GroupRow): Promise<void> {
  await db.insertInto('groups').values(group).execute()
}

export function findGroupByName(db: Db, name: string) {
  return db.selectFrom('groups').selectAll().where('name', '=', name).executeTakeFirst()
}

/** Every group with how many members it has, by name. */
export async function listGroupsWithMemberCounts(db: Db) {
  return db
    .selectFrom('groups as g')
    .select((eb) => [
      'g.id', 'g.name', 'g.description', 'g.created_at',
      eb.selectFrom('group_members as m').select((m) => m.fn.countAll<number | string>().as('n')).whereRef('m.group_id', '=', 'g.id').as('members'),
    ])
    .orderBy('g.name')
    .execute()
}

/** The permissions of every group, as (group id, permission) pairs. */
export function listAllGroupPermissions(db: Db) {
  return db.selectFrom('group_permissions').select(['group_id', 'permission']).execute()
}

export async function listGroupPermissions(db: Db, groupId: string): Promise<string[]> {
  const rows = await db.selectFrom('group_permissions').select('permission').where('group_id', '=', groupId).execute()
  return rows.map((r) => r.permission)
}

export function listGroupMembers(db: Db, groupId: string) {
  return db
    .selectFrom('group_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['u.id', 'u.username', 'm.added_at'])
    .where('m.group_id', '=', groupId)
    .orderBy('u.username')
    .execute()
}

/** Deletes the group; its memberships and permissions go with it (cascade). Whether there was one. */
export async function deleteGroupRow(db: Db, id: string): Promise<boolean> {
  const [result] = await db.deleteFrom('groups').where('id', '=', id).execute()
  return Number(result?.numDeletedRows ?? 0) > 0
}

/** Adds the member unless it already is one; whether it was added. */
export async function insertMember(db: Db, groupId: string, userId: string, now: number): Promise<boolean> {
  const [result] = await db
    .insertInto('group_members')
    .values({ group_id: groupId, user_id: userId, added_at: now })
    .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
    .execute()
  return Number(result?.numInsertedOrUpdatedRows ?? 0) > 0
}

export async function deleteMember(db: Db, groupId: string, userId: string): Promise<boolean> {
  const [result] = await db.deleteFrom('group_members').where('group_id', '=', groupId).where('user_id', '=', userId).execute()
  return Number(result?.numDeletedRows ?? 0) > 0
}

export async function insertPermission(db: Db, groupId: string, permission: string, now: number): Promise<boolean> {
  const [result] = await db
    .insertInto('group_permissions')
    .values({ group_id: groupId, permission, granted_at: now })
    .onConflict((oc) => oc.columns(['group_id', 'permission']).doNothing())
    .execute()
  return Number(result?.numInsertedOrUpdatedRows ?? 0) > 0
}

export async function deletePermission(db: Db, groupId: string, permission: string): Promise<boolean> {
  const [result] = await db.deleteFrom('group_permissions').where('group_id', '=', groupId).where('permission', '=', permission).execute()
  return Number(result?.numDeletedRows ?? 0) > 0
}

/** The permissions of every group `userId` belongs to (repeated when several groups hold one). */
export async function permissionsOfMember(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('group_members as m')
    .innerJoin('group_permissions as p', 'p.group_id', 'm.group_id')
    .select('p.permission')
    .where('m.user_id', '=', userId)
    .execute()
  return rows.map((r) => r.permission)
}

/** The names of the groups `userId` belongs to. */
export async function groupNamesOf(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('group_members as m')
    .innerJoin('groups as g', 'g.id', 'm.group_id')
    .select('g.name')
    .where('m.user_id', '=', userId)
    .orderBy('g.name')
    .execute()
  return rows.map((r) => r.name)
}

/** Adds the user to the group named `name` if such a group exists; whether it did. */
export async function joinGroupNamedIfPresent(db: Db, name: string, userId: string, now: number): Promise<boolean> {
  const group = await findGroupByName(db, name)
  return group ? insertMember(db, group.id, userId, now) : false
}
