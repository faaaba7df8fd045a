import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { DEMO_VENDOR_KEY, pageModuleSrc, REPORTS_PAGE } from '../../src/demo-vendor/index.js'
import { install, startVendor, type InstalledPayload, type VendorFixture } from './fixtures.js'

describe('the demo vendor: an installed callback with previousClientKey (after a site import)', () => {
  let v: VendorFixture
  let before_: InstalledPayload
  before(async () => {
    v = await startVendor()
    before_ = await install(v, 'ck-before-import')
    // The app's own data for the workspace: a call made from the page (whatever the platform answered).
    const src = await pageModuleSrc({ appKey: DEMO_VENDOR_KEY, appBaseUrl: v.baseUrl, moduleUrl: REPORTS_PAGE.url, clientKey: before_.clientKey, sharedSecret: before_.sharedSecret!, userId: 'user-1', now: Date.now() })
    const token = /name="token" value="([^"]+)"/.exec(await (await fetch(src)).text())![1]
    const response = await fetch(`${v.baseUrl}${REPORTS_PAGE.url}/calls`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ method: 'app-jwt', token }).toString() })
    assert.equal(response.status, 200)
    assert.equal(v.installation('ck-before-import')!.calls.length, 1)
  })
  after(() => v.close())

  test('moves the earlier installation\'s data to the new clientKey and records the lineage; the earlier record keeps only a pointer', async () => {
    const after_ = await install(v, 'ck-after-import', { previousClientKey: 'ck-before-import' })
    const moved = v.installation('ck-after-import')!
    assert.equal(moved.sharedSecret, after_.sharedSecret)
    assert.deepEqual(moved.lineage, ['ck-before-import'])
    assert.equal(moved.calls.length, 1)
    assert.equal(moved.calls[0].userId, 'user-1')
    assert.match(moved.events[0].note!, /took over the data of ck-before-import/)
    const earlier = v.installation('ck-before-import')!
    assert.equal(earlier.state, 'moved')
    assert.equal(earlier.movedTo, 'ck-after-import')
    assert.equal(earlier.sharedSecret, null)
    assert.deepEqual(earlier.calls, [])

    // The page of the new installation shows the lineage and the data; the old clientKey shows nothing.
    const src = await pageModuleSrc({ appKey: DEMO_VENDOR_KEY, appBaseUrl: v.baseUrl, moduleUrl: REPORTS_PAGE.url, clientKey: 'ck-after-import', sharedSecret: after_.sharedSecret!, userId: 'user-1', now: Date.now() })
    const page = await (await fetch(src)).text()
    assert.match(page, /earlier clientKeys of this workspace, newest first: <code>ck-before-import<\/code>/)
    assert.match(page, /Earlier calls/)
    const old = await pageModuleSrc({ appKey: DEMO_VENDOR_KEY, appBaseUrl: v.baseUrl, moduleUrl: REPORTS_PAGE.url, clientKey: 'ck-before-import', sharedSecret: before_.sharedSecret!, userId: 'user-1', now: Date.now() })
    assert.equal((await fetch(old)).status, 401)
  })

  test('the same installed sent again (a secret rotation carries previousClientKey too) moves nothing twice', async () => {
    await install(v, 'ck-after-import', { previousClientKey: 'ck-before-import' })
    const moved = v.installation('ck-after-import')!
    assert.equal(moved.calls.length, 1)
    assert.deepEqual(moved.lineage, ['ck-before-import'])
  })

  test('a second import: the lineage grows, newest first', async () => {
    await install(v, 'ck-second-import', { previousClientKey: 'ck-after-import' })
    const latest = v.installation('ck-second-import')!
    assert.deepEqual(latest.lineage, ['ck-after-import', 'ck-before-import'])
    assert.equal(latest.calls.length, 1)
  })

  test('a previousClientKey it never had is recorded in the lineage, with nothing to move', async () => {
    await install(v, 'ck-from-elsewhere', { previousClientKey: 'ck-installed-before-this-vendor-existed' })
    const stored = v.installation('ck-from-elsewhere')!
    assert.deepEqual(stored.lineage, ['ck-installed-before-this-vendor-existed'])
    assert.deepEqual(stored.calls, [])
    assert.equal(v.installation('ck-installed-before-this-vendor-existed'), undefined)
  })
})
