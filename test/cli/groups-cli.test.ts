import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createTestDatabase, type TestDatabase } from '../support/database.js'
import { runCli } from '../support/processes.js'

let database: TestDatabase

before(async () => {
  database = await createTestDatabase()
})

after(async () => {
  await database?.drop()
})

async function cli(args: string[], stdin?: string) {
  const result = await runCli(args, database.env, stdin)
  return { ...result, json: () => JSON.parse(result.stdout) }
}

test('a fresh deployment lists the default group; a new user joins it', async () => {
  assert.equal((await cli(['user', 'add', 'ada', '--password-stdin'], 'a long enough password')).code, 0)
  const listed = await cli(['group', 'list', '--json'])
  assert.equal(listed.code, 0, listed.stderr)
  assert.deepEqual(
    (listed.json() as { name: string; members: number; permissions: string[]; isDefault: boolean }[]).map(({ name, members, permissions, isDefault }) => ({ name, members, permissions, isDefault })),
    [{ name: 'users', members: 1, permissions: ['use-tokens', 'create-tokens', 'create-read-write-tokens'], isDefault: true }],
  )
  assert.match((await cli(['group', 'list'])).stdout, /users \(default\)\s+1\s+use-tokens, create-tokens, create-read-write-tokens/)
  assert.match((await cli(['group', 'show', 'users'])).stdout, /members \(1\): ada/)
})

test('group add, member add, grant, show, revoke, member remove and delete, for people and with --json', async () => {
  const added = await cli(['group', 'add', 'release', '--description', 'Release managers', '--json'])
  assert.equal(added.code, 0, added.stderr)
  assert.deepEqual(added.json(), { type: 'group-created', group: 'release', description: 'Release managers' })

  assert.equal((await cli(['group', 'member', 'add', 'release', 'ada'])).stdout.trim(), 'added ada to release')
  assert.equal((await cli(['group', 'member', 'add', 'release', 'ada'])).stdout.trim(), 'ada already belongs to release; nothing changed')
  assert.equal((await cli(['group', 'grant', 'release', 'create-tokens-for-others'])).stdout.trim(), 'granted create-tokens-for-others to release')
  assert.deepEqual((await cli(['group', 'grant', 'release', 'create-tokens-for-others', '--json'])).json(), {
    type: 'permission-granted', group: 'release', permission: 'create-tokens-for-others', changed: false,
  })
  const shown = (await cli(['group', 'show', 'release', '--json'])).json()
  assert.deepEqual({ members: shown.memberNames, permissions: shown.permissions, description: shown.description }, { members: ['ada'], permissions: ['create-tokens-for-others'], description: 'Release managers' })

  assert.equal((await cli(['group', 'revoke', 'release', 'create-tokens-for-others'])).stdout.trim(), 'revoked create-tokens-for-others from release')
  assert.equal((await cli(['group', 'revoke', 'release', 'create-tokens-for-others'])).stdout.trim(), 'release does not have create-tokens-for-others; nothing changed')
  assert.equal((await cli(['group', 'member', 'remove', 'release', 'ada', '--json'])).json().changed, true)
  const deleted = await cli(['group', 'delete', 'release'])
  assert.equal(deleted.code, 0, deleted.stderr)
  assert.match(deleted.stdout, /^deleted group release; its 0 member\(s\) lost no permission/)
})

test('refusals are one readable line and exit code 1; --json gives the error code', async () => {
  const badName = await cli(['group', 'add', 'Release Team'])
  assert.equal(badName.code, 1)
  assert.equal(badName.stderr.trim(), 'gatehouse: A group name is 1–64 characters: lower-case letters, digits, "-", "_" or "."; got "Release Team"')
  const taken = await cli(['group', 'add', 'users', '--json'])
  assert.equal(taken.code, 1)
  assert.deepEqual(taken.json(), { error: { code: 'ERR_CONFLICT', message: 'There is already a group named "users"' } })
  const unknownPermission = await cli(['group', 'grant', 'users', 'admin'])
  assert.equal(unknownPermission.code, 1)
  assert.match(unknownPermission.stderr, /"admin" is not a token permission; the permissions are use-tokens, create-tokens, create-read-write-tokens, create-tokens-for-others/)
  const unknownGroup = await cli(['group', 'member', 'add', 'nope', 'ada', '--json'])
  assert.equal(unknownGroup.json().error.code, 'ERR_NOT_FOUND')
  assert.equal((await cli(['group', 'member', 'add', 'users', 'ghost'])).stderr.trim(), 'gatehouse: No user named "ghost"')
})

test('user delete works for a group member, and deleting "users" says what it means', async () => {
  assert.equal((await cli(['user', 'add', 'temp', '--password-stdin'], 'a long enough password')).code, 0)
  const removed = await cli(['user', 'delete', 'temp'])
  assert.equal(removed.code, 0, removed.stderr)
  assert.equal((await cli(['group', 'show', 'users', '--json'])).json().members, 1)

  const deleted = await cli(['group', 'delete', 'users'])
  assert.equal(deleted.code, 0, deleted.stderr)
  assert.match(deleted.stdout, /lost use-tokens, create-tokens, create-read-write-tokens unless another group gives it/)
  assert.match(deleted.stdout, /new users now join no group and hold no token permission until added to one/)
  assert.deepEqual((await cli(['group', 'list', '--json'])).json(), [])
})

test('--help lists the permissions and what each allows', async () => {
  const help = await cli(['group', 'grant', '--help'])
  assert.equal(help.code, 0)
  assert.match(help.stdout, /create-tokens-for-others\s+create API tokens for other users, and revoke the ones one created for them/)
  assert.match(help.stdout, /--json/)
  assert.match((await cli(['--help'])).stdout, /group\s+Groups of users and the API-token permissions/)
})
