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

async function cli(args: string[]) {
  const result = await runCli(args, database.env)
  return { ...result, json: () => JSON.parse(result.stdout) }
}

test('app verify and unverify, with --json and for people; verifying again keeps the first date', async () => {
  const created = await cli(['app', 'create', '--name', 'Issue Sync', '--redirect-uri', 'https://sync.example/callback', '--scope', 'account', '--json'])
  assert.equal(created.code, 0, created.stderr)
  const clientId = created.json().client_id as string

  const verified = await cli(['app', 'verify', clientId, '--json'])
  assert.equal(verified.code, 0, verified.stderr)
  const { verified_at: verifiedAt, ...rest } = verified.json()
  assert.deepEqual(rest, { client_id: clientId, name: 'Issue Sync', verified: true })
  assert.match(verifiedAt, /^\d{4}-\d\d-\d\dT/)

  const again = await cli(['app', 'verify', clientId])
  assert.equal(again.code, 0, again.stderr)
  assert.equal(again.stdout.trim(), `app "Issue Sync" (${clientId}) is verified since ${verifiedAt}; its consent page says so`)

  const unverified = await cli(['app', 'unverify', clientId, '--json'])
  assert.deepEqual(unverified.json(), { client_id: clientId, name: 'Issue Sync', verified: false, verified_at: null })
  assert.equal((await cli(['app', 'unverify', clientId])).stdout.trim(), `app "Issue Sync" (${clientId}) is no longer verified`)
})

test('app verify of an unknown client_id is one readable line and exit code 1', async () => {
  const unknown = await cli(['app', 'verify', 'no-such-client'])
  assert.equal(unknown.code, 1)
  assert.match(unknown.stderr.trim(), /^gatehouse: .*no-such-client/)
  const asJson = await cli(['app', 'unverify', 'no-such-client', '--json'])
  assert.equal(asJson.json().error.code, 'ERR_NOT_FOUND')
})
