import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { testConfig } from '../../src/config.js'
import { createWorkspace } from '../../src/platform/index.js'
import { buildServer } from '../../src/server.js'
import { createUser } from '../../src/users/users.service.js'
import { createTestDatabase, type TestDatabase } from '../support/database.js'
import { runCli } from '../support/processes.js'

// `gatehouse scopes report`, the real command in its own process, on a database a server wrote its
// usage counts to from real calls through the gateway.

let database: TestDatabase
let clientId: string
let quiet: string

before(async () => {
  database = await createTestDatabase()
  const created = await runCli(['app', 'create', '--name', 'Issue Sync', '--scope', 'read:user', 'workspace', 'read:workspace', 'issue', '--redirect-uri', 'https://sync.example/callback', '--json'], database.env)
  assert.equal(created.code, 0, created.stderr)
  clientId = JSON.parse(created.stdout).client_id
  const silent = await runCli(['app', 'create', '--name', 'Quiet', '--scope', 'read:user', '--redirect-uri', 'https://sync.example/callback', '--json'], database.env)
  quiet = JSON.parse(silent.stdout).client_id

  const server = await buildServer(testConfig({ databaseUrl: database.url, kek: database.kek, rateLimitPerMinute: 0, throttle: false, seedDemo: false, playground: false }))
  await server.ready()
  try {
    const user = await createUser(server.db, server.clock, { username: 'ada', password: 'correct horse battery' })
    await createWorkspace(server.db, server.clock, { slug: 'acme', name: 'Acme', members: [{ userId: user.id, role: 'owner' }] })
    const calls: [scope: string, url: string][] = [
      ['read:user', '/2.0/user'],
      ['read:user', '/2.0/user'],
      ['workspace', '/2.0/workspaces'],
      ['workspace', '/2.0/workspaces/acme/members'],
    ]
    for (const [scope, url] of calls) {
      const { token } = await server.accessTokens.issue({ subject: user.id, clientId, scope })
      const response = await server.inject({ url, headers: { authorization: `Bearer ${token}` } })
      assert.equal(response.statusCode, 200, response.body)
    }
  } finally {
    // Closing flushes the counts.
    await server.close()
  }
})

after(async () => {
  await database?.drop()
})

test('scopes report --json: used scopes, never-used ones, and classic ones in use with their granular replacements', async () => {
  const result = await runCli(['scopes', 'report', '--app', clientId, '--json'], database.env)
  assert.equal(result.code, 0, result.stderr)
  const report = JSON.parse(result.stdout)
  const today = new Date().toISOString().slice(0, 10)
  assert.equal(report.client_id, clientId)
  assert.equal(report.period.until, today)
  assert.equal(report.period.data_since, today)
  assert.equal(report.has_traffic, true)
  assert.deepEqual(report.used.map((u: { scope: string; calls: number }) => [u.scope, u.calls]), [['read:user', 2], ['workspace', 2]])
  assert.deepEqual(report.never_used, ['issue', 'read:workspace'])
  assert.equal(report.classic_in_use.length, 1)
  assert.equal(report.classic_in_use[0].scope, 'workspace')
  assert.deepEqual(report.classic_in_use[0].replaced_by, ['read:workspace', 'read:workspace-member'])
  assert.deepEqual(report.classic_in_use[0].not_registered, ['read:workspace-member'])
  assert.deepEqual(report.classic_in_use[0].operations.map((o: { operation_id: string }) => o.operation_id).sort(), ['listWorkspaceMembers', 'listWorkspaces'])
})

test('scopes report prints it for people', async () => {
  const result = await runCli(['scopes', 'report', '--app', clientId, '--since', '7d'], database.env)
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stdout, new RegExp(`^Scope usage of "Issue Sync" \\(${clientId}\\), \\d{4}-\\d\\d-\\d\\d to \\d{4}-\\d\\d-\\d\\d \\(UTC days\\)`))
  assert.match(result.stdout, /Never used in the period \(safe to remove\):\n {2}issue\n {2}read:workspace\n/)
  assert.match(result.stdout, /^ {2}workspace \(deprecated on 2027-06-07\) → read:workspace read:workspace-member$/m)
  assert.match(result.stdout, /^ {4}not registered yet: read:workspace-member$/m)
  assert.match(result.stdout, /^ {4}listWorkspaces: 1 call, last \d{4}-\d\d-\d\d → read:workspace$/m)
})

test('an app with no calls in the period: no traffic to judge by, rather than every scope unused', async () => {
  const result = await runCli(['scopes', 'report', '--app', quiet], database.env)
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stdout, /No calls of this app went through the gateway in the period: there is no traffic to judge its scopes by\./)
  assert.doesNotMatch(result.stdout, /safe to remove/)
  const json = JSON.parse((await runCli(['scopes', 'report', '--app', quiet, '--json'], database.env)).stdout)
  assert.equal(json.has_traffic, false)
  assert.deepEqual(json.never_used, [])
})

test('an unknown app is one line and exit 1', async () => {
  const result = await runCli(['scopes', 'report', '--app', 'nobody'], database.env)
  assert.equal(result.code, 1)
  assert.equal(result.stderr, 'gatehouse: No app has the client_id "nobody"\n')
  assert.equal(result.stdout, '')
})

test('--since takes days or hours; anything else is refused with the form to use', async () => {
  assert.equal((await runCli(['scopes', 'report', '--app', clientId, '--since', '12h'], database.env)).code, 0)
  const result = await runCli(['scopes', 'report', '--app', clientId, '--since', '5w'], database.env)
  assert.equal(result.code, 1)
  assert.equal(result.stderr, 'gatehouse: --since: "5w" is not a period: give a number of days or hours, e.g. 30d or 12h\n')
})
