import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { Kysely } from 'kysely'
import { TOKEN_PERMISSIONS, missingPermissionMessage } from '../../src/domain/token-permissions.js'
import { createMigrator, migrateToLatest, retryingVanishedSchema, type Store } from '../../src/store/database.js'
import {
  addMember,
  createGroup,
  deleteGroup,
  grantPermission,
  groupsOf,
  listGroups,
  permissionsOf,
  removeMember,
  revokePermission,
  showGroup,
} from '../../src/users/groups.service.js'
import { deleteUserRow } from '../../src/users/users.queries.js'
import { createUser, findUserByUsername } from '../../src/users/users.service.js'
import { createTestDatabase, type TestDatabase } from '../support/database.js'

const PASSWORD = 'a long enough password'
const clock = { now: () => Date.now() }

let database: TestDatabase
let store: Store
const deps = () => ({ db: store.db, clock })

before(async () => {
  database = await createTestDatabase()
  store = database.open()
  await migrateToLatest(store.db)
})

after(async () => {
  await store?.destroy()
  await database?.drop()
})

async function person(username: string, isAdmin = false) {
  return createUser(store.db, clock, { username, password: PASSWORD, isAdmin })
}

const sorted = (permissions: Set<string>) => [...permissions].sort()

test('the migration makes the group "users" with use, create and create-read-write, and puts existing people in it but not app accounts', async () => {
  const fresh = await createTestDatabase()
  const old = fresh.open()
  const db = old.db as unknown as Kysely<any>
  try {
    const migrator = await createMigrator(old.db)
    assert.equal((await retryingVanishedSchema(() => migrator.migrateTo('2026_12_07_0013_scope_usage'))).error, undefined)
    const row = (id: string, username: string, kind: string) => ({ id, username, password_hash: '!', is_admin: 0, display_name: username, created_at: 1, disabled_at: null, kind })
    await db.insertInto('users').values([row('u1', 'ada', 'person'), row('u2', 'grace', 'person'), row('a1', 'some-app-1234', 'app')]).execute()

    assert.equal((await retryingVanishedSchema(() => migrator.migrateToLatest())).error, undefined)
    const [users] = await listGroups(old.db)
    assert.deepEqual(
      { name: users!.name, members: users!.members, permissions: users!.permissions, isDefault: users!.isDefault },
      { name: 'users', members: 2, permissions: ['use-tokens', 'create-tokens', 'create-read-write-tokens'], isDefault: true },
    )
    assert.deepEqual((await showGroup(old.db, 'users')).memberNames, ['ada', 'grace'])
    assert.deepEqual(await permissionsOf(old.db, 'a1'), new Set(), 'an app account holds no token permission')

    // Down and up again leaves the same default.
    assert.equal((await retryingVanishedSchema(() => migrator.migrateDown())).error, undefined)
    assert.equal((await retryingVanishedSchema(() => migrator.migrateToLatest())).error, undefined)
    assert.equal((await listGroups(old.db))[0]!.members, 2)
  } finally {
    await old.destroy()
    await fresh.drop()
  }
})

test('a new user joins "users" and holds its permissions; a new administrator holds all four', async () => {
  const ada = await person('ada')
  assert.deepEqual(await groupsOf(store.db, ada.id), ['users'])
  assert.deepEqual(sorted(await permissionsOf(store.db, ada.id)), ['create-read-write-tokens', 'create-tokens', 'use-tokens'])

  const root = await person('root', true)
  assert.deepEqual(sorted(await permissionsOf(store.db, root.id)), [...TOKEN_PERMISSIONS].sort())
  assert.deepEqual(await permissionsOf(store.db, 'no-such-id'), new Set())
})

test('an app account cannot be added to a group', async () => {
  const db = store.db as unknown as Kysely<any>
  await db.insertInto('users').values({ id: 'app-account-1', username: 'ci-bot-0001', password_hash: '!', is_admin: 0, display_name: 'CI', created_at: 1, disabled_at: null, kind: 'app' }).execute()
  await assert.rejects(addMember(deps(), 'users', 'ci-bot-0001'), { code: 'ERR_BAD_REQUEST', message: /"ci-bot-0001" is an installation's app account/ })
  assert.deepEqual(await groupsOf(store.db, 'app-account-1'), [])
})

test('group names: 1–64 lower-case letters, digits, "-", "_", "."; unique; refusals say why', async () => {
  assert.deepEqual(await createGroup(deps(), { name: 'release-managers', description: ' Ship things ' }), { type: 'group-created', group: 'release-managers', description: 'Ship things' })
  await createGroup(deps(), { name: 'a' })
  await createGroup(deps(), { name: 'x'.repeat(64) })
  for (const bad of ['', 'Admins', 'with space', 'x'.repeat(65), 'émoji']) {
    await assert.rejects(createGroup(deps(), { name: bad }), { code: 'ERR_BAD_REQUEST', field: 'name', message: /A group name is 1–64 characters/ }, bad)
  }
  await assert.rejects(createGroup(deps(), { name: 'release-managers' }), { code: 'ERR_CONFLICT', message: 'There is already a group named "release-managers"' })
  await assert.rejects(createGroup(deps(), { name: 'b', description: 'two\nlines' }), { field: 'description' })
  await assert.rejects(createGroup(deps(), { name: 'b', description: 'x'.repeat(201) }), { field: 'description' })
})

test('grant and revoke are idempotent and say whether anything changed; unknown permissions and groups are refused by name', async () => {
  await createGroup(deps(), { name: 'ci-admins' })
  assert.deepEqual(await grantPermission(deps(), 'ci-admins', 'create-tokens-for-others'), { type: 'permission-granted', group: 'ci-admins', permission: 'create-tokens-for-others', changed: true })
  assert.equal((await grantPermission(deps(), 'ci-admins', 'create-tokens-for-others')).changed, false)
  assert.deepEqual((await showGroup(store.db, 'ci-admins')).permissions, ['create-tokens-for-others'])
  assert.equal((await revokePermission(deps(), 'ci-admins', 'create-tokens-for-others')).changed, true)
  assert.equal((await revokePermission(deps(), 'ci-admins', 'create-tokens-for-others')).changed, false)
  assert.deepEqual((await showGroup(store.db, 'ci-admins')).permissions, [])

  await assert.rejects(grantPermission(deps(), 'ci-admins', 'delete-everything'), {
    code: 'ERR_BAD_REQUEST',
    message: '"delete-everything" is not a token permission; the permissions are use-tokens, create-tokens, create-read-write-tokens, create-tokens-for-others',
  })
  await assert.rejects(grantPermission(deps(), 'nobody-group', 'use-tokens'), { code: 'ERR_NOT_FOUND', message: 'No group named "nobody-group"' })
})

test('membership: add and remove are idempotent, and permissions follow membership in any group', async () => {
  const lin = await person('lin')
  await createGroup(deps(), { name: 'delegates' })
  await grantPermission(deps(), 'delegates', 'create-tokens-for-others')
  assert.deepEqual(await addMember(deps(), 'delegates', 'lin'), { type: 'member-added', group: 'delegates', username: 'lin', changed: true })
  assert.equal((await addMember(deps(), 'delegates', 'lin')).changed, false)
  assert.ok((await permissionsOf(store.db, lin.id)).has('create-tokens-for-others'))

  // Tightening the default: out of `users`, lin keeps only what delegates gives.
  assert.equal((await removeMember(deps(), 'users', 'lin')).changed, true)
  assert.equal((await removeMember(deps(), 'users', 'lin')).changed, false)
  assert.deepEqual(sorted(await permissionsOf(store.db, lin.id)), ['create-tokens-for-others'])
  await assert.rejects(addMember(deps(), 'delegates', 'ghost'), { code: 'ERR_NOT_FOUND', message: 'No user named "ghost"' })
})

test('revoking a permission from "users" takes it from its members at once', async () => {
  const kim = await person('kim')
  await revokePermission(deps(), 'users', 'create-read-write-tokens')
  try {
    assert.deepEqual(sorted(await permissionsOf(store.db, kim.id)), ['create-tokens', 'use-tokens'])
  } finally {
    await grantPermission(deps(), 'users', 'create-read-write-tokens')
  }
})

test('deleting a user removes their memberships; deleting a group removes its memberships and permissions', async () => {
  const sam = await person('sam')
  await createGroup(deps(), { name: 'temp' })
  await addMember(deps(), 'temp', 'sam')
  await grantPermission(deps(), 'temp', 'use-tokens')
  await deleteUserRow(store.db, sam.id)
  assert.equal((await showGroup(store.db, 'temp')).members, 0)
  assert.equal(await store.db.selectFrom('group_members').select('user_id').where('user_id', '=', sam.id).executeTakeFirst(), undefined)

  const tom = await person('tom')
  await addMember(deps(), 'temp', 'tom')
  assert.deepEqual(await deleteGroup(deps(), 'temp'), { type: 'group-deleted', group: 'temp', members: 1, permissions: ['use-tokens'], wasDefault: false })
  assert.deepEqual(await groupsOf(store.db, tom.id), ['users'])
  assert.equal(await store.db.selectFrom('group_permissions').selectAll().innerJoin('groups', 'groups.id', 'group_permissions.group_id').where('groups.name', '=', 'temp').executeTakeFirst(), undefined)
  await assert.rejects(deleteGroup(deps(), 'temp'), { code: 'ERR_NOT_FOUND' })
})

test('deleting "users" is allowed: new users then join no group and hold nothing until one named "users" exists again', async () => {
  const change = await deleteGroup(deps(), 'users')
  assert.equal(change.type === 'group-deleted' && change.wasDefault, true)
  const late = await person('late')
  assert.deepEqual(await groupsOf(store.db, late.id), [])
  assert.deepEqual(await permissionsOf(store.db, late.id), new Set())

  await createGroup(deps(), { name: 'users' })
  const later = await person('later')
  assert.deepEqual(await groupsOf(store.db, later.id), ['users'])
  assert.deepEqual(await permissionsOf(store.db, later.id), new Set(), 'the re-made group holds only what it is granted')
  assert.ok(await findUserByUsername(store.db, 'later'))
})

test('the missing-permission message names the permission, what it is for, and who can give it', () => {
  assert.equal(missingPermissionMessage('create-tokens'), 'You need the "create-tokens" permission to create API tokens; ask an administrator to add you to a group that has it')
  assert.equal(missingPermissionMessage('use-tokens'), 'You need the "use-tokens" permission to use API tokens; ask an administrator to add you to a group that has it')
})
