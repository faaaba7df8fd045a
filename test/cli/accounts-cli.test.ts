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

test('user disable, enable and admin, with --json and for people', async () => {
  assert.equal((await cli(['user', 'add', 'root', '--admin', '--password-stdin'], 'a long enough password')).code, 0)
  assert.equal((await cli(['user', 'add', 'ada', '--password-stdin'], 'a long enough password')).code, 0)

  const disabled = await cli(['user', 'disable', 'ada', '--json'])
  assert.equal(disabled.code, 0, disabled.stderr)
  assert.equal(disabled.json().disabled, true)
  assert.equal(disabled.json().revokedGrants, 0)
  const listed = (await cli(['user', 'list', '--json'])).json() as { username: string; disabledAt: string | null }[]
  assert.ok(listed.find((u) => u.username === 'ada')!.disabledAt)
  assert.match((await cli(['user', 'list'])).stdout, /ada\s+disabled/)

  const enabled = await cli(['user', 'enable', 'ada'])
  assert.equal(enabled.code, 0, enabled.stderr)
  assert.match(enabled.stdout, /enabled ada/)

  assert.equal((await cli(['user', 'admin', 'ada', '--json'])).json().isAdmin, true)
  assert.match((await cli(['user', 'list'])).stdout, /ada\s+yes/)
  assert.equal((await cli(['user', 'admin', 'ada', '--remove', '--json'])).json().isAdmin, false)
})

test('refusals and unknown names are one readable line and exit code 1', async () => {
  const last = await cli(['user', 'disable', 'root'])
  assert.equal(last.code, 1)
  assert.equal(last.stderr.trim(), 'gatehouse: root is the last administrator, so it cannot be disabled; make another administrator first')
  const asJson = await cli(['user', 'delete', 'root', '--json'])
  assert.equal(asJson.code, 1)
  assert.equal(asJson.json().error.code, 'ERR_CONFLICT')
  const unknown = await cli(['user', 'disable', 'nobody'])
  assert.equal(unknown.code, 1)
  assert.equal(unknown.stderr.trim(), 'gatehouse: No user named "nobody"')
  const unknownApp = await cli(['app', 'enable', 'no-such-client', '--json'])
  assert.equal(unknownApp.json().error.code, 'ERR_NOT_FOUND')
})

test('app create --resource-server, then app disable, enable and delete', async () => {
  assert.equal((await cli(['user', 'add', 'orders-team'])).code, 0)
  const created = await cli(['app', 'create', '--name', 'Orders API', '--grant', 'client_credentials', '--owner', 'orders-team', '--resource-server', '--json'])
  assert.equal(created.code, 0, created.stderr)
  assert.equal(created.json().resource_server, true)
  const clientId = created.json().client_id as string
  assert.match((await cli(['app', 'list'])).stdout, /Orders API\s+confidential, resource server/)

  const disabled = await cli(['app', 'disable', clientId, '--json'])
  assert.equal(disabled.code, 0, disabled.stderr)
  assert.deepEqual(disabled.json(), { client_id: clientId, name: 'Orders API', disabled: true, revoked_grants: 0 })
  const listed = (await cli(['app', 'list', '--json'])).json() as { client_id: string; disabled_at: string | null }[]
  assert.ok(listed.find((a) => a.client_id === clientId)!.disabled_at)
  assert.equal((await cli(['app', 'enable', clientId, '--json'])).json().disabled, false)
  assert.equal((await cli(['app', 'delete', clientId, '--json'])).json().deleted, true)
  assert.equal(((await cli(['app', 'list', '--json'])).json() as unknown[]).length, 0)

  const publicServer = await cli(['app', 'create', '--name', 'Bad', '--public', '--redirect-uri', 'https://x.example/cb', '--resource-server'])
  assert.equal(publicServer.code, 1)
  assert.match(publicServer.stderr, /resource server .* confidential/)
})

test('user delete removes an account and says what went with it', async () => {
  assert.equal((await cli(['user', 'add', 'temp', '--password-stdin'], 'a long enough password')).code, 0)
  assert.equal((await cli(['workspace', 'add', 'temp-space', '--owner', 'temp'])).code, 0)
  const owned = (await cli(['app', 'create', '--name', 'Temp tool', '--grant', 'client_credentials', '--owner', 'temp', '--json'])).json()
  const deleted = await cli(['user', 'delete', 'temp', '--json'])
  assert.equal(deleted.code, 0, deleted.stderr)
  assert.equal(deleted.json().deleted, true)
  assert.deepEqual(deleted.json().deletedWorkspaces, ['temp-space'])
  assert.deepEqual(deleted.json().appsWithoutOwner, [owned.client_id])
  const users = (await cli(['user', 'list', '--json'])).json() as { username: string }[]
  assert.equal(users.some((u) => u.username === 'temp'), false)
})

test('the account and app commands have --help and --json', async () => {
  for (const args of [['user', 'disable'], ['user', 'enable'], ['user', 'delete'], ['user', 'admin'], ['app', 'disable'], ['app', 'enable'], ['app', 'delete']]) {
    const help = await cli([...args, '--help'])
    assert.equal(help.code, 0, args.join(' '))
    assert.match(help.stdout, /Usage: gatehouse/)
    assert.match(help.stdout, /--json/, `${args.join(' ')} offers --json`)
  }
})
