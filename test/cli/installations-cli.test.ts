import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { createWorkspace } from '../../src/platform/index.js'
import { createUser } from '../../src/users/users.service.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { runCli } from '../support/processes.js'
import { startTestVendor, type TestVendor } from '../support/vendor.js'

let t: TestApp
let vendor: TestVendor
let dir: string

// The commands share the test server's database and name it as the issuer, so the vendor verifies
// their callbacks against the keys that server publishes.
before(async () => {
  t = await startTestApp({}, { listen: true })
  await t.app.installedApps.deliverer.stop()
  vendor = await startTestVendor(t.config.issuer, 'cli-app')
  const vera = await createUser(t.app.db, t.app.clock, { username: 'vera', password: 'vera-password-1' })
  const wes = await createUser(t.app.db, t.app.clock, { username: 'wes', password: 'wes-password-1' })
  await createWorkspace(t.app.db, t.app.clock, { slug: 'cli-team', members: [{ userId: wes.id, role: 'owner' }] })
  void vera
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-install-'))
})

after(async () => {
  await vendor?.close()
  await t?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function cli(args: string[]) {
  const result = await runCli(args, { ...t.database.env, GATEHOUSE_ISSUER: t.config.issuer, GATEHOUSE_LOG_LEVEL: 'silent' })
  return { ...result, json: () => JSON.parse(result.stdout) }
}

test('descriptor add, install, deliveries, disable and uninstall from the command line', async () => {
  const file = join(dir, 'descriptor.json')
  writeFileSync(file, JSON.stringify(vendor.descriptor()))
  const added = await cli(['descriptor', 'add', file, '--owner', 'vera', '--json'])
  assert.equal(added.code, 0, added.stderr)
  assert.equal(added.json().created, true)

  const installed = await cli(['install', 'cli-app', '--workspace', 'cli-team', '--by', 'wes', '--json'])
  assert.equal(installed.code, 0, installed.stderr)
  const { clientKey, oauthClientId } = installed.json()
  assert.ok(clientKey && oauthClientId)
  assert.equal(installed.stdout.includes(vendor.received[0].body.sharedSecret as string), false, 'the shared secret is never printed')
  assert.ok(vendor.received[0].verified.ok, vendor.received[0].verified.ok ? '' : vendor.received[0].verified.reason)

  const refused = await cli(['install', 'cli-app', '--workspace', 'cli-team', '--by', 'vera'])
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, /^gatehouse: only an owner of workspace cli-team or an administrator may install apps into it; ask wes\n$/)

  const disabled = await cli(['disable', 'cli-app', '--workspace', 'cli-team'])
  assert.equal(disabled.code, 0, disabled.stderr)
  assert.match(disabled.stdout, /disabled cli-app in cli-team\n {2}disabled callback delivered \(the app answered 204\)/)

  vendor.answer = 500
  const uninstalled = await cli(['uninstall', 'cli-app', '--workspace', 'cli-team', '--json'])
  assert.equal(uninstalled.code, 0, uninstalled.stderr)
  assert.equal(uninstalled.json().state, 'uninstalled')
  assert.equal(uninstalled.json().callback.state, 'pending', 'a failed callback waits for its retry')

  const log = await cli(['descriptor', 'deliveries', 'cli-app', '--json'])
  assert.deepEqual(log.json().map((d: { event: string; state: string }) => `${d.event}:${d.state}`), ['uninstalled:pending', 'disabled:delivered', 'installed:delivered'])
  const listed = await cli(['descriptor', 'list'])
  assert.match(listed.stdout, /cli-app\s+Acme reports\s+vera\s+1/)
})

test('an invalid descriptor file is refused with its problems; an unreadable one says so', async () => {
  const file = join(dir, 'bad.json')
  writeFileSync(file, JSON.stringify({ key: 'x y', baseUrl: 'ftp://nowhere' }))
  const bad = await cli(['descriptor', 'add', file, '--owner', 'vera'])
  assert.equal(bad.code, 1)
  assert.match(bad.stderr, /the descriptor is not valid:\n {2}- key: expected/)
  assert.match(bad.stderr, / {2}- baseUrl: expected an absolute https or http URL/)
  const missing = await cli(['descriptor', 'add', join(dir, 'nope.json'), '--owner', 'vera'])
  assert.match(missing.stderr, /cannot read the descriptor file .*nope\.json \(ENOENT\)/)
})

test('workspace export and import from the command line', async () => {
  const exported = await cli(['workspace', 'export', 'cli-team'])
  assert.equal(exported.code, 0, exported.stderr)
  const file = join(dir, 'export.json')
  writeFileSync(file, exported.stdout)
  const imported = await cli(['workspace', 'import', file, '--into', 'cli-copy'])
  assert.equal(imported.code, 0, imported.stderr)
  assert.match(imported.stdout, /imported into cli-copy \(new workspace\) as a new tenant: 0 repositories/)
  const bad = await cli(['workspace', 'restore', join(dir, 'bad.json')])
  assert.match(bad.stderr, /the file is not a workspace export/)
})
