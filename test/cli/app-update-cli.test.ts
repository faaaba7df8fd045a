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

test('app update changes what it is given, says what changed, and leaves the rest', async () => {
  const created = await cli(['app', 'create', '--name', 'Issue Sync', '--redirect-uri', 'https://sync.example/callback', '--scope', 'account', '--json'])
  assert.equal(created.code, 0, created.stderr)
  const clientId = created.json().client_id as string

  const updated = await cli([
    'app', 'update', clientId, '--name', 'Issue Sync 2', '--scope', 'account', 'repository', '--homepage', 'https://sync.example',
    '--description', 'Keeps issues in step', '--json',
  ])
  assert.equal(updated.code, 0, updated.stderr)
  const result = updated.json()
  assert.deepEqual(result.changed.map((c: { field: string }) => c.field).sort(), ['description', 'homepage_url', 'name', 'scopes'])
  assert.deepEqual(result.widened_scopes, ['repository'])

  const listed = (await cli(['app', 'list', '--json'])).json().find((a: { client_id: string }) => a.client_id === clientId)
  assert.equal(listed.name, 'Issue Sync 2')
  assert.deepEqual(listed.scopes, ['account', 'repository'])
  assert.deepEqual(listed.redirect_uris, ['https://sync.example/callback'])

  const again = await cli(['app', 'update', clientId, '--name', 'Issue Sync 2'])
  assert.equal(again.stdout.trim(), `app ${clientId}: nothing changed`)
})

test('app update refuses what creation would refuse, naming it, and changes nothing', async () => {
  const created = await cli(['app', 'create', '--name', 'Strict', '--redirect-uri', 'https://strict.example/cb', '--scope', 'account', '--json'])
  const clientId = created.json().client_id as string
  const badUri = await cli(['app', 'update', clientId, '--redirect-uri', 'ftp://strict.example/cb'])
  assert.equal(badUri.code, 1)
  assert.match(badUri.stderr, /^gatehouse: The redirect URI "ftp:\/\/strict.example\/cb"/)
  const badScope = await cli(['app', 'update', clientId, '--scope', 'everything', '--json'])
  assert.match(badScope.json().error.message, /Unknown scopes: everything/)
  const badOwner = await cli(['app', 'update', clientId, '--owner', 'nobody'])
  assert.match(badOwner.stderr, /No user named "nobody"/)
  const unknown = await cli(['app', 'update', 'no-such-client', '--name', 'x'])
  assert.match(unknown.stderr, /no-such-client/)
  const listed = (await cli(['app', 'list', '--json'])).json().find((a: { client_id: string }) => a.client_id === clientId)
  assert.deepEqual(listed.redirect_uris, ['https://strict.example/cb'])
  assert.deepEqual(listed.scopes, ['account'])
})

test('app update --reconsent-grace takes a period, and refuses what is not one before changing anything', async () => {
  const created = await cli(['app', 'create', '--name', 'Graceful', '--redirect-uri', 'https://graceful.example/cb', '--scope', 'account', '--json'])
  const clientId = created.json().client_id as string
  const bad = await cli(['app', 'update', clientId, '--scope', 'account', 'issue', '--reconsent-grace', 'soon'])
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /--reconsent-grace takes days or hours, e\.g\. 14d or 36h \(at most a year\), got "soon"/)
  const good = await cli(['app', 'update', clientId, '--scope', 'account', 'issue', '--reconsent-grace', '14d', '--json'])
  assert.equal(good.code, 0, good.stderr)
  assert.deepEqual(good.json().widened_scopes, ['issue'])
  assert.equal(good.json().approvals_in_grace, 0, 'nobody had approved it yet')
})
