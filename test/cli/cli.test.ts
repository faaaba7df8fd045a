import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { buildServer } from '../../src/server.js'
import { testConfig } from '../../src/config.js'
import { createTestDatabase, type TestDatabase } from '../support/database.js'
import { runCli } from '../support/processes.js'

let database: TestDatabase
let env: Record<string, string>

before(async () => {
  database = await createTestDatabase()
  env = { ...database.env }
})

after(async () => {
  await database?.drop()
})

async function cli(args: string[], stdin?: string) {
  const result = await runCli(args, env, stdin)
  return { ...result, json: () => JSON.parse(result.stdout) }
}

async function tokenStatus(clientId: string, secret: string): Promise<number> {
  const app = await buildServer(testConfig({ databaseUrl: database.url, kek: database.kek, rateLimitPerMinute: 0 }))
  try {
    const response = await app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    })
    return response.statusCode
  } finally {
    await app.close()
  }
}

test('migrate brings an empty database up to date, then reports nothing to do', async () => {
  const first = await cli(['migrate', '--json'])
  assert.equal(first.code, 0, first.stderr)
  assert.ok(first.json().applied.length >= 1)
  const second = await cli(['migrate'])
  assert.match(second.stdout, /up to date/)
})

test('user add takes a password on stdin or generates one, and user list shows them', async () => {
  const admin = await cli(['user', 'add', 'root', '--admin', '--password-stdin', '--json'], 'a long enough password\n')
  assert.equal(admin.code, 0, admin.stderr)
  assert.equal(admin.json().isAdmin, true)
  assert.equal(admin.json().password, undefined, 'a password read from stdin is never echoed')
  const generated = await cli(['user', 'add', 'grace', '--json'])
  assert.equal(generated.code, 0, generated.stderr)
  assert.ok(generated.json().password.length >= 16)
  const list = await cli(['user', 'list', '--json'])
  assert.deepEqual(list.json().map((u: { username: string }) => u.username), ['grace', 'root'])
  const human = await cli(['user', 'list'])
  assert.match(human.stdout, /root\s+yes/)
})

test('a taken username or a bad value fails with one readable line and exit code 1', async () => {
  const taken = await cli(['user', 'add', 'grace'])
  assert.equal(taken.code, 1)
  assert.equal(taken.stderr.trim(), 'gatehouse: The username "grace" is taken')
  const asJson = await cli(['user', 'add', 'grace', '--json'])
  assert.equal(asJson.json().error.code, 'ERR_CONFLICT')
  const badPort = await runCli(['user', 'list'], { ...env, PORT: 'eighty' })
  assert.equal(badPort.code, 1)
  assert.equal(badPort.stderr.trim(), 'gatehouse: PORT must be a whole number, got "eighty"')
})

test('an unreachable database is one readable line and exit code 1, not a stack trace', async () => {
  const kek = Buffer.alloc(32, 7).toString('base64')
  const result = await runCli(['user', 'list'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test', GATEHOUSE_KEK: kek })
  assert.equal(result.code, 1)
  assert.match(result.stderr, /^gatehouse: the database is unreachable \(.*\); check DATABASE_URL/)
  assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr)
})

test('workspace add makes the first member the owner', async () => {
  const result = await cli(['workspace', 'add', 'acme', '--member', 'grace', 'root', '--json'])
  assert.equal(result.code, 0, result.stderr)
  assert.deepEqual(result.json().owners, ['grace'])
  assert.deepEqual(result.json().members, ['root'])
  const unknown = await cli(['workspace', 'add', 'other', '--member', 'nobody'])
  assert.equal(unknown.code, 1)
  assert.match(unknown.stderr, /No user named "nobody"/)
})

test('app create prints the secret once; rotate-secret keeps the old one working until the grace ends', async () => {
  const created = await cli(['app', 'create', '--name', 'Build bot', '--grant', 'client_credentials', '--scope', 'account', 'repository', '--owner', 'grace', '--json'])
  assert.equal(created.code, 0, created.stderr)
  const { client_id, client_secret, scopes } = created.json()
  assert.match(client_secret, /^gth_cs_/)
  assert.deepEqual(scopes, ['account', 'repository'])
  assert.equal(await tokenStatus(client_id, client_secret), 200)

  const listed = await cli(['app', 'list', '--json'])
  assert.equal(listed.json()[0].client_secret, undefined, 'secrets are never listed')

  const rotated = await cli(['app', 'rotate-secret', client_id, '--json'])
  assert.equal(rotated.code, 0, rotated.stderr)
  assert.notEqual(rotated.json().client_secret, client_secret)
  assert.ok(Date.parse(rotated.json().previous_secrets_expire_at) > Date.now() + 23 * 3600 * 1000)
  assert.equal(await tokenStatus(client_id, rotated.json().client_secret), 200)
  assert.equal(await tokenStatus(client_id, client_secret), 200, 'the old secret works during the grace period')

  const immediate = await cli(['app', 'rotate-secret', client_id, '--grace', '0', '--json'])
  assert.equal(await tokenStatus(client_id, immediate.json().client_secret), 200)
  assert.equal(await tokenStatus(client_id, client_secret), 401, 'with no grace the old secrets stop at once')

  const badScope = await cli(['app', 'create', '--name', 'X', '--grant', 'client_credentials', '--scope', 'admin:everything'])
  assert.equal(badScope.code, 1)
  assert.match(badScope.stderr, /admin:everything/)
})

test('registration-token and keys rotate/list', async () => {
  const token = await cli(['registration-token', '--expires-in', '600', '--json'])
  assert.equal(token.code, 0, token.stderr)
  assert.match(token.json().registration_token, /^gth_rg_/)
  const rotated = await cli(['keys', 'rotate', '--json'])
  assert.equal(rotated.code, 0, rotated.stderr)
  const keys = await cli(['keys', 'list', '--json'])
  const statuses = keys.json().map((k: { kid: string; status: string }) => [k.kid === rotated.json().kid, k.status])
  // The new key is published at once and signs once JWKS caches have expired.
  assert.deepEqual(statuses, [[true, 'scheduled'], [false, 'signing']])
})

test('every command has --help', async () => {
  for (const args of [['serve'], ['migrate'], ['user', 'add'], ['user', 'list'], ['workspace', 'add'], ['app', 'create'], ['app', 'rotate-secret'], ['app', 'list'], ['registration-token'], ['keys', 'rotate'], ['keys', 'rewrap'], ['keys', 'list']]) {
    const help = await cli([...args, '--help'])
    assert.equal(help.code, 0, args.join(' '))
    assert.match(help.stdout, /Usage: gatehouse/)
    assert.match(help.stdout, /--json/, `${args.join(' ')} offers --json`)
  }
})
