import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { seedDemoIfEmpty } from '../../src/cli/demo-seed.js'
import { DEMO_VENDOR_KEY, demoVendorDataDir } from '../../src/demo-vendor/index.js'
import { getInstalledApp } from '../../src/installations/descriptors.service.js'
import { install } from '../../src/installations/installations.service.js'
import { findUserByUsername } from '../../src/users/users.queries.js'
import { startTestApp } from '../support/app.js'

test('the demo seed registers the demo vendor\'s descriptor; where the demo is seeded the server serves the vendor, and the demo user can install it into the demo workspace', async () => {
  const t = await startTestApp({ seedDemo: true }, { listen: true })
  try {
    const seed = await seedDemoIfEmpty({ config: t.config, db: t.app.db, clock: t.app.clock, secrets: t.app.secrets })
    assert.deepEqual(seed?.installedApp, { key: DEMO_VENDOR_KEY, descriptorUrl: `${t.config.issuer}/demo-vendor/descriptor.json` })
    const registered = await getInstalledApp(t.app.db, DEMO_VENDOR_KEY)
    assert.equal(registered.descriptor.baseUrl, `${t.config.issuer}/demo-vendor`)
    assert.equal(registered.ownerUsername, 'admin', "published by the admin, so the demo user's use of it is not personal: the consent dialog shows")
    assert.deepEqual(registered.descriptor.scopes, ['read:user', 'read:workspace', 'read:repository', 'act_as_user'])

    const served = await fetch(seed!.installedApp.descriptorUrl)
    if (t.database.dialect === 'postgres') {
      // The demo is seeded into the embedded database only; on PostgreSQL the vendor is not served.
      assert.equal(served.status, 404)
      return
    }
    assert.equal(served.status, 200)
    const demo = (await findUserByUsername(t.app.db, 'demo'))!
    const { installation } = await install(t.app.installedApps.installations, { appKey: DEMO_VENDOR_KEY, workspaceSlug: 'demo', actor: { id: demo.id, isAdmin: false } })
    const dataDir = demoVendorDataDir(t.config.databaseUrl)
    assert.equal(dataDir, join(t.config.databaseUrl.slice('sqlite:'.length), '..', 'demo-vendor'))
    assert.ok(existsSync(join(dataDir, 'installations.json')))
    const stored = JSON.parse(readFileSync(join(dataDir, 'installations.json'), 'utf8'))
    assert.equal(stored.installations[installation.clientKey].workspace.slug, 'demo')
  } finally {
    await t.close()
  }
})

test('the vendor is not served where the demo is not seeded', async () => {
  const t = await startTestApp({ seedDemo: false })
  try {
    assert.equal((await t.app.inject({ url: '/demo-vendor/descriptor.json' })).statusCode, 404)
  } finally {
    await t.close()
  }
})
