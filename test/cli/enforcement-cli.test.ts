import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createTestDatabase, type TestDatabase } from '../support/database.js'
import { runCli } from '../support/processes.js'

let database: TestDatabase

before(async () => {
  database = await createTestDatabase()
  assert.equal((await runCli(['user', 'add', 'ada', '--password-stdin'], database.env, 'a long enough password')).code, 0)
  assert.equal((await runCli(['workspace', 'add', 'acme', '--owner', 'ada'], database.env)).code, 0)
})

after(async () => {
  await database?.drop()
})

async function cli(args: string[]) {
  const result = await runCli(args, database.env)
  return { ...result, json: () => JSON.parse(result.stdout) }
}

test('enforcement list shows every known enforcement, off until set', async () => {
  const listed = await cli(['enforcement', 'list', '--json'])
  assert.equal(listed.code, 0, listed.stderr)
  const [stale] = listed.json()
  assert.equal(stale.name, 'stale-oauth-client-id')
  assert.equal(stale.mode, 'off')
  assert.equal(stale.percent, 0)
  assert.deepEqual(stale.cohort, [])
  assert.equal(stale.updated_by, null)
  assert.match(stale.description, /oauthClientId of an earlier installation/)
})

test('enforcement set changes mode, percentage and cohort step by step, and history records each change with who made it', async () => {
  const first = await cli(['enforcement', 'set', 'stale-oauth-client-id', '--mode', 'report-only', '--cohort', 'workspace:acme', 'app:acme-reports', '--by', 'ada', '--json'])
  assert.equal(first.code, 0, first.stderr)
  assert.deepEqual(first.json().cohort, ['workspace:acme', 'app:acme-reports'])
  assert.equal(first.json().percent, 0)
  assert.equal(first.json().updated_by, 'ada')
  // The app has no descriptor yet: said, not refused, since a cohort may be set up ahead of it.
  assert.match(first.stderr, /note: app:acme-reports names no installed app yet/)
  assert.doesNotMatch(first.stderr, /workspace:acme names/)

  const second = await cli(['enforcement', 'set', 'stale-oauth-client-id', '--mode', 'report-only', '--percent', '5'])
  assert.equal(second.code, 0, second.stderr)
  assert.match(second.stdout, /^stale-oauth-client-id: report-only for 5% of apps and the cohort workspace:acme, app:acme-reports \(set by cli:/)

  const third = await cli(['enforcement', 'set', 'stale-oauth-client-id', '--mode', 'enforce', '--percent', '50%', '--clear-cohort', '--by', 'ada'])
  assert.equal(third.code, 0, third.stderr)

  const listed = (await cli(['enforcement', 'list', '--json'])).json()[0]
  assert.equal(listed.mode, 'enforce')
  assert.equal(listed.percent, 50)
  assert.deepEqual(listed.cohort, [])

  const history = await cli(['enforcement', 'history', 'stale-oauth-client-id', '--json'])
  assert.equal(history.code, 0, history.stderr)
  const changes = history.json() as { mode: string; percent: number; cohort: string[]; changed_by: string }[]
  assert.deepEqual(changes.map((c) => [c.mode, c.percent, c.cohort.length]), [['report-only', 0, 2], ['report-only', 5, 2], ['enforce', 50, 0]])
  assert.equal(changes[0].changed_by, 'ada')
  assert.match(changes[1].changed_by, /^cli:/)
  const readable = await cli(['enforcement', 'history', 'stale-oauth-client-id'])
  assert.match(readable.stdout, /changed\s+mode\s+percent\s+cohort\s+by/)
  assert.match(readable.stdout, /enforce\s+50%\s+ada/)
})

test('a mode in scope of no app is set, with a note saying so', async () => {
  const result = await cli(['enforcement', 'set', 'stale-oauth-client-id', '--mode', 'enforce', '--percent', '0', '--clear-cohort'])
  assert.equal(result.code, 0, result.stderr)
  assert.match(result.stderr, /applies to no app yet: give --percent or --cohort/)
})

test('enforcement set refuses what it cannot apply, naming every problem, and changes nothing', async () => {
  const before = (await cli(['enforcement', 'history', 'stale-oauth-client-id', '--json'])).json().length
  const unknown = await cli(['enforcement', 'set', 'reject-everything', '--mode', 'enforce'])
  assert.equal(unknown.code, 1)
  assert.match(unknown.stderr, /"reject-everything" is not an enforcement; the known ones are: stale-oauth-client-id/)
  const bad = await cli(['enforcement', 'set', 'stale-oauth-client-id', '--mode', 'strict', '--percent', '150', '--cohort', 'team:x', '--json'])
  assert.equal(bad.code, 1)
  const message = bad.json().error.message as string
  assert.match(message, /--mode: "strict" is not a mode; use off, report-only, enforce/)
  assert.match(message, /--percent: "150" is more than 100%/)
  assert.match(message, /--cohort: "team:x" is not a cohort member/)
  const fraction = await cli(['enforcement', 'set', 'stale-oauth-client-id', '--mode', 'enforce', '--percent', '2.5'])
  assert.match(fraction.stderr, /not a whole number/)
  const nobody = await cli(['enforcement', 'set', 'stale-oauth-client-id', '--mode', 'off', '--by', 'nobody'])
  assert.match(nobody.stderr, /--by: no user named "nobody"/)
  const history = await cli(['enforcement', 'history', 'nothing-like-it'])
  assert.match(history.stderr, /not an enforcement/)
  assert.equal((await cli(['enforcement', 'history', 'stale-oauth-client-id', '--json'])).json().length, before)
})
