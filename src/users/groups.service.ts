import type { Clock } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import {
  DEFAULT_GROUP_NAME,
  effectivePermissions,
  parsePermission,
  sortPermissions,
  unknownPermissionMessage,
  type TokenPermission,
} from '../domain/token-permissions.js'
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js'
import { inTransaction, isUniqueViolation, type Db } from '../store/database.js'
import type { GroupRow } from '../store/schema.js'
import * as queries from './groups.queries.js'
import { findUserById, findUserByUsername } from './users.queries.js'

/**
 * Groups of users and the token permissions granted to them. Every change returns a `GroupChange`
 * saying what changed (or that nothing did): the audit log of a later increment records these, so
 * callers should pass them on rather than rebuild them.
 */

export interface GroupDeps {
  db: Db
  clock: Clock
}

export const GROUP_NAME_PATTERN = /^[a-z0-9._-]{1,64}$/
export const MAX_GROUP_DESCRIPTION_LENGTH = 200

export type GroupField = 'name' | 'description' | 'permission'

/** Input for a group the rules refuse, naming the field (as UserInputError does for accounts). */
export class GroupInputError extends BadRequestError {
  constructor(readonly field: GroupField, message: string) {
    super(message)
  }
}

export class GroupNameTakenError extends ConflictError {
  readonly field = 'name'

  constructor(name: string) {
    super(`There is already a group named "${name}"`)
  }
}

export interface GroupSummary {
  name: string
  description: string
  createdAt: string
  members: number
  permissions: TokenPermission[]
  /** Whether this is the group every new user joins. */
  isDefault: boolean
}

export interface GroupDetails extends GroupSummary {
  memberNames: string[]
}

export type GroupChange =
  | { type: 'group-created'; group: string; description: string }
  | { type: 'group-deleted'; group: string; members: number; permissions: TokenPermission[]; wasDefault: boolean }
  | { type: 'member-added' | 'member-removed'; group: string; username: string; changed: boolean }
  | { type: 'permission-granted' | 'permission-revoked'; group: string; permission: TokenPermission; changed: boolean }

export type MembershipChange = Extract<GroupChange, { type: 'member-added' | 'member-removed' }>
export type PermissionChange = Extract<GroupChange, { type: 'permission-granted' | 'permission-revoked' }>

export async function createGroup(deps: GroupDeps, input: { name: string; description?: string }): Promise<GroupChange> {
  const name = validGroupName(input.name)
  const description = validDescription(input.description ?? '')
  if (await queries.findGroupByName(deps.db, name)) throw new GroupNameTakenError(name)
  const group: GroupRow = { id: newId(), name, description, created_at: deps.clock.now() }
  // Another command may have taken the name since the look-up.
  await queries.insertGroup(deps.db, group).catch((error: unknown) => {
    throw isUniqueViolation(error) ? new GroupNameTakenError(name) : error
  })
  return { type: 'group-created', group: name, description }
}

export async function listGroups(db: Db): Promise<GroupSummary[]> {
  const [groups, grants] = await Promise.all([queries.listGroupsWithMemberCounts(db), queries.listAllGroupPermissions(db)])
  return groups.map((g) => summary(g, Number(g.members), grants.filter((p) => p.group_id === g.id).map((p) => p.permission)))
}

export async function showGroup(db: Db, name: string): Promise<GroupDetails> {
  const group = await requireGroup(db, name)
  const [members, permissions] = await Promise.all([queries.listGroupMembers(db, group.id), queries.listGroupPermissions(db, group.id)])
  return { ...summary(group, members.length, permissions), memberNames: members.map((m) => m.username) }
}

/**
 * Deletes a group with its memberships and permissions; its members lose what only it gave them.
 * Deleting `users` is allowed (an administrator may want no default at all): new users then join no
 * group and hold no token permission until added to one. Making a group named `users` again restores
 * the joining, with whatever permissions it is granted.
 */
export async function deleteGroup(deps: GroupDeps, name: string): Promise<GroupChange> {
  return inTransaction(deps.db, async (trx) => {
    const group = await requireGroup(trx, name)
    const members = (await queries.listGroupMembers(trx, group.id)).length
    const permissions = sortPermissions(validPermissions(await queries.listGroupPermissions(trx, group.id)))
    if (!(await queries.deleteGroupRow(trx, group.id))) throw new NotFoundError(`No group named "${name}"`)
    return { type: 'group-deleted', group: group.name, members, permissions, wasDefault: group.name === DEFAULT_GROUP_NAME }
  })
}

/** Adds a user to a group; adding a member again changes nothing and says so. */
export async function addMember(deps: GroupDeps, groupName: string, username: string): Promise<MembershipChange> {
  const group = await requireGroup(deps.db, groupName)
  const user = await requirePerson(deps.db, username)
  const changed = await queries.insertMember(deps.db, group.id, user.id, deps.clock.now())
  return { type: 'member-added', group: group.name, username: user.username, changed }
}

export async function removeMember(deps: GroupDeps, groupName: string, username: string): Promise<MembershipChange> {
  const group = await requireGroup(deps.db, groupName)
  const user = await findUserByUsername(deps.db, username)
  if (!user) throw new NotFoundError(`No user named "${username}"`)
  const changed = await queries.deleteMember(deps.db, group.id, user.id)
  return { type: 'member-removed', group: group.name, username: user.username, changed }
}

/** Grants a permission to a group; granting it again changes nothing and says so. */
export async function grantPermission(deps: GroupDeps, groupName: string, permissionName: string): Promise<PermissionChange> {
  const permission = requirePermission(permissionName)
  const group = await requireGroup(deps.db, groupName)
  const changed = await queries.insertPermission(deps.db, group.id, permission, deps.clock.now())
  return { type: 'permission-granted', group: group.name, permission, changed }
}

export async function revokePermission(deps: GroupDeps, groupName: string, permissionName: string): Promise<PermissionChange> {
  const permission = requirePermission(permissionName)
  const group = await requireGroup(deps.db, groupName)
  const changed = await queries.deletePermission(deps.db, group.id, permission)
  return { type: 'permission-revoked', group: group.name, permission, changed }
}

/** The token permissions `userId` holds now: all for an administrator, else those of their groups; none for an unknown id. */
export async function permissionsOf(db: Db, userId: string): Promise<Set<TokenPermission>> {
  const user = await findUserById(db, userId)
  if (!user) return new Set()
  return effectivePermissions({ isAdmin: user.is_admin === 1, groupPermissions: await queries.permissionsOfMember(db, userId) })
}

/** The names of the groups a user belongs to. */
export async function groupsOf(db: Db, userId: string): Promise<string[]> {
  return queries.groupNamesOf(db, userId)
}

/**
 * A new person joins the default group while it exists (the default works like the platforms people
 * know; an administrator tightens it). An installation's app account never does: it acts through
 * its app's credentials, not API tokens. Call inside the transaction that inserts the account.
 */
export async function joinDefaultGroup(trx: Db, user: { id: string; kind: string }, now: number): Promise<boolean> {
  if (user.kind === 'app') return false
  return queries.joinGroupNamedIfPresent(trx, DEFAULT_GROUP_NAME, user.id, now)
}

function validGroupName(name: string): string {
  if (!GROUP_NAME_PATTERN.test(name)) {
    throw new GroupInputError('name', `A group name is 1–64 characters: lower-case letters, digits, "-", "_" or "."; got "${name}"`)
  }
  return name
}

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/

function validDescription(input: string): string {
  const description = input.trim()
  if ([...description].length > MAX_GROUP_DESCRIPTION_LENGTH) throw new GroupInputError('description', `A group description is at most ${MAX_GROUP_DESCRIPTION_LENGTH} characters`)
  if (CONTROL_CHARACTER.test(description)) throw new GroupInputError('description', 'A group description cannot contain line breaks or other control characters')
  return description
}

function requirePermission(name: string): TokenPermission {
  const permission = parsePermission(name)
  if (!permission) throw new GroupInputError('permission', unknownPermissionMessage(name))
  return permission
}

async function requireGroup(db: Db, name: string): Promise<GroupRow> {
  const group = await queries.findGroupByName(db, name)
  if (!group) throw new NotFoundError(`No group named "${name}"`)
  return group
}

async function requirePerson(db: Db, username: string) {
  const user = await findUserByUsername(db, username)
  if (!user) throw new NotFoundError(`No user named "${username}"`)
  if (user.kind === 'app') throw new BadRequestError(`"${username}" is an installation's app account: it acts through its app's credentials and cannot join a group`)
  return user
}

function validPermissions(names: string[]): TokenPermission[] {
  return names.flatMap((n) => parsePermission(n) ?? [])
}

function summary(group: Pick<GroupRow, 'name' | 'description' | 'created_at'>, members: number, permissions: string[]): GroupSummary {
  return {
    name: group.name,
    description: group.description,
    createdAt: new Date(Number(group.created_at)).toISOString(),
    members,
    permissions: sortPermissions(validPermissions(permissions)),
    isDefault: group.name === DEFAULT_GROUP_NAME,
  }
}
