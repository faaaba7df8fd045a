import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { decodeProtectedHeader, generateKeyPair, SignJWT } from 'jose'
import { queryStringHash } from '../../src/domain/qsh.js'
import { validateDescriptor } from '../../src/domain/descriptor.js'
import { sampleApi } from '../../src/platform/openapi.js'
import { loadApiDescription } from '../../src/gateway/api-description.js'
import { DEMO_VENDOR_KEY, demoVendorDescriptor } from '../../src/demo-vendor/index.js'
import { install, payload, sendCallback, startVendor, type VendorFixture } from './fixtures.js'

describe('the demo vendor: lifecycle callbacks', () => {
  let v: VendorFixture
  before(async () => {
    v = await startVendor()
  })
  after(() => v.close())

  test('serves its descriptor at <baseUrl>/descriptor.json, valid for this platform (http only because it runs on loopback)', async () => {
    const response = await fetch(`${v.baseUrl}/descriptor.json`)
    assert.equal(response.status, 200)
    const served = await response.json()
    assert.deepEqual(served, demoVendorDescriptor(v.issuer))
    assert.equal(served.key, DEMO_VENDOR_KEY)
    assert.equal(served.baseUrl, `${v.issuer}/demo-vendor`)
    const { scopes } = await loadApiDescription(v.config, sampleApi)
    const result = validateDescriptor(served, { scopeNames: scopes.map((s) => s.name), allowInsecureBaseUrl: true })
    assert.ok(result.ok, JSON.stringify(result))
    assert.deepEqual(result.descriptor.scopes, ['read:user', 'read:workspace', 'read:repository', 'act_as_user'])
    assert.equal(validateDescriptor(served, { scopeNames: scopes.map((s) => s.name) }).ok, false, 'http is refused where the caller does not allow it')
  })

  test('a callback signed by the platform (RS256, kid, iss, aud, qsh) is verified by fetching /connect/keys/<kid>, answered 204, and the installation stored', async () => {
    const sent = await install(v, 'ck-good', { previousClientKey: undefined })
    const stored = v.installation('ck-good')!
    assert.equal(stored.sharedSecret, sent.sharedSecret)
    assert.equal(stored.oauthClientId, 'oauth-ck-good')
    assert.equal(stored.platformBaseUrl, v.issuer)
    assert.equal(stored.state, 'enabled')
    assert.deepEqual(stored.workspace, { slug: 'demo', name: 'Demo workspace' })
    assert.deepEqual(stored.lineage, [])
    assert.deepEqual(stored.events.map((e) => e.event), ['installed'])
    assert.ok(Math.abs(stored.installedAt - Date.now()) < 10_000)
  })

  test('the store is a file of its own, written atomically (no temporary files left), not readable by others', async () => {
    const { readdirSync, statSync } = await import('node:fs')
    assert.deepEqual(readdirSync(v.dataDir), ['installations.json'])
    assert.equal(statSync(`${v.dataDir}/installations.json`).mode & 0o077, 0)
  })

  test('an installed callback for a clientKey it has (secret rotation, reinstall) replaces the stored secret and keeps the rest', async () => {
    const first = await install(v, 'ck-rotate')
    const installedAt = v.installation('ck-rotate')!.installedAt
    const second = await install(v, 'ck-rotate', { oauthClientId: 'oauth-ck-rotate-2' })
    assert.notEqual(first.sharedSecret, second.sharedSecret)
    const stored = v.installation('ck-rotate')!
    assert.equal(stored.sharedSecret, second.sharedSecret)
    assert.equal(stored.oauthClientId, 'oauth-ck-rotate-2')
    assert.equal(stored.installedAt, installedAt)
    assert.deepEqual(stored.events.map((e) => e.note ?? ''), ['shared secret replaced', ''])
  })

  test('uninstalled forgets the secret and keeps the data; enabled and disabled switch the state; installed again brings it back', async () => {
    await install(v, 'ck-cycle')
    for (const [event, state] of [['disabled', 'disabled'], ['enabled', 'enabled'], ['uninstalled', 'uninstalled']] as const) {
      const response = await sendCallback(v, event, payload(v, event, 'ck-cycle'))
      assert.equal(response.status, 204, await response.text())
      assert.equal(v.installation('ck-cycle')!.state, state)
    }
    assert.equal(v.installation('ck-cycle')!.sharedSecret, null)
    // Never an enabled after its uninstalled, but if one came it would not bring the secret back.
    assert.equal((await sendCallback(v, 'enabled', payload(v, 'enabled', 'ck-cycle'))).status, 204)
    assert.equal(v.installation('ck-cycle')!.state, 'uninstalled')
    const again = await install(v, 'ck-cycle')
    assert.equal(v.installation('ck-cycle')!.sharedSecret, again.sharedSecret)
    assert.equal(v.installation('ck-cycle')!.events[0].note, 'installed again')
  })

  test('a callback for a clientKey it never had is acknowledged and changes nothing', async () => {
    const response = await sendCallback(v, 'uninstalled', payload(v, 'uninstalled', 'ck-never'))
    assert.equal(response.status, 204)
    assert.equal(v.installation('ck-never'), undefined)
  })

  describe('refused with 401, and nothing stored', () => {
    const url = (event = 'installed') => `${v.baseUrl}/lifecycle/${event}`
    const refused = async (response: Response, message: RegExp, clientKey: string) => {
      const body = await response.json()
      assert.equal(response.status, 401, JSON.stringify(body))
      assert.equal(body.error.code, 'invalid_jwt')
      assert.match(body.error.message, message)
      assert.match(response.headers.get('www-authenticate')!, /^JWT realm=/)
      assert.equal(v.installation(clientKey), undefined)
    }

    test('no Authorization header, or another scheme', async () => {
      const body = JSON.stringify(payload(v, 'installed', 'ck-noauth'))
      await refused(await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body }), /Authorization: JWT/, 'ck-noauth')
      const token = await v.app.connectKeys.signCallback({ audience: v.baseUrl, method: 'POST', url: url() })
      await refused(await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body }), /not "JWT <token>"/, 'ck-noauth')
    })

    test('a tampered token: its claims changed after signing', async () => {
      const token = await v.app.connectKeys.signCallback({ audience: v.baseUrl, method: 'POST', url: url() })
      const [header, claims, signature] = token.split('.')
      const changed = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(claims, 'base64url').toString()), exp: 9_999_999_999 })).toString('base64url')
      await refused(await sendCallback(v, 'installed', payload(v, 'installed', 'ck-tampered'), { token: `${header}.${changed}.${signature}` }), /signature does not verify/, 'ck-tampered')
    })

    test('regression: a token signed by another key under the platform key\'s kid', async () => {
      const genuine = await v.app.connectKeys.signCallback({ audience: v.baseUrl, method: 'POST', url: url() })
      const { kid } = decodeProtectedHeader(genuine)
      const { privateKey } = await generateKeyPair('RS256')
      const forged = await new SignJWT({ qsh: queryStringHash({ method: 'POST', url: url(), baseUrl: v.baseUrl }) })
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(v.issuer)
        .setAudience([v.baseUrl])
        .setIssuedAt()
        .setExpirationTime('3m')
        .sign(privateKey)
      await refused(await sendCallback(v, 'installed', payload(v, 'installed', 'ck-forged'), { token: forged }), /signature does not verify/, 'ck-forged')
    })

    test('a kid the platform does not publish', async () => {
      const { privateKey } = await generateKeyPair('RS256')
      const token = await new SignJWT({ qsh: queryStringHash({ method: 'POST', url: url(), baseUrl: v.baseUrl }) })
        .setProtectedHeader({ alg: 'RS256', kid: 'not-a-platform-kid', typ: 'JWT' })
        .setIssuer(v.issuer)
        .setAudience([v.baseUrl])
        .setIssuedAt()
        .setExpirationTime('3m')
        .sign(privateKey)
      await refused(await sendCallback(v, 'installed', payload(v, 'installed', 'ck-kid'), { token }), /kid "not-a-platform-kid", which the platform does not publish/, 'ck-kid')
    })

    test('a kid that is not a kid (no path injection into the key URL)', async () => {
      const { privateKey } = await generateKeyPair('RS256')
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: '../../oauth/jwks' }).setIssuer(v.issuer).setAudience(v.baseUrl).setIssuedAt().setExpirationTime('3m').sign(privateKey)
      await refused(await sendCallback(v, 'installed', payload(v, 'installed', 'ck-badkid'), { token }), /no usable "kid"/, 'ck-badkid')
    })

    test('regression: jwt audience validation — a genuine token for another app', async () => {
      const token = await v.app.connectKeys.signCallback({ audience: 'https://other-vendor.example/app', method: 'POST', url: url(), baseUrl: v.baseUrl })
      await refused(await sendCallback(v, 'installed', payload(v, 'installed', 'ck-aud'), { token }), /"aud" claim/, 'ck-aud')
    })

    test('a genuine token for another callback of this app (wrong qsh): an uninstalled token replayed at installed', async () => {
      const token = await v.app.connectKeys.signCallback({ audience: v.baseUrl, method: 'POST', url: url('uninstalled') })
      await refused(await sendCallback(v, 'installed', payload(v, 'installed', 'ck-qsh'), { token }), /"qsh" claim does not match/, 'ck-qsh')
      const withQuery = await v.app.connectKeys.signCallback({ audience: v.baseUrl, method: 'POST', url: `${url()}?x=1` })
      await refused(await sendCallback(v, 'installed', payload(v, 'installed', 'ck-qsh'), { token: withQuery }), /"qsh" claim does not match/, 'ck-qsh')
    })

    test('an expired token', async () => {
      const late = await startVendor({ vendorClock: { now: () => Date.now() + 10 * 60_000 } })
      try {
        const body = payload(late, 'installed', 'ck-late')
        const response = await sendCallback(late, 'installed', body)
        assert.equal(response.status, 401)
        assert.match((await response.json()).error.message, /has expired/)
        assert.equal(late.installation('ck-late'), undefined)
      } finally {
        await late.close()
      }
    })
  })

  describe('a verified callback with a payload that is not right is refused with 400, naming the field', () => {
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['another app\'s key', { key: 'someone-else' }, /"key": this app is "gatehouse-demo-reports"/],
      ['an eventType other than the path\'s', { eventType: 'uninstalled' }, /"eventType"/],
      ['a platform baseUrl other than the one that signed', { baseUrl: 'https://evil.example' }, /"baseUrl"/],
      ['no shared secret', { sharedSecret: undefined }, /"sharedSecret"/],
      ['no clientKey', { clientKey: 42 }, /"clientKey"/],
      ['a workspace without a slug', { workspace: { name: 'x' } }, /"workspace"/],
    ]
    for (const [name, change, message] of cases) {
      test(name, async () => {
        const response = await sendCallback(v, 'installed', { ...payload(v, 'installed', 'ck-payload'), ...change })
        const body = await response.json()
        assert.equal(response.status, 400, JSON.stringify(body))
        assert.equal(body.error.code, 'invalid_payload')
        assert.match(body.error.message, message)
        assert.equal(v.installation('ck-payload'), undefined)
      })
    }
  })

  test('a clientKey such as __proto__ is stored as any other', async () => {
    const sent = await install(v, '__proto__')
    const { installations } = v.stored()
    assert.ok(Object.hasOwn(installations, '__proto__'))
    assert.equal(installations['__proto__'].sharedSecret, sent.sharedSecret)
    assert.equal(Object.getPrototypeOf(installations), Object.prototype)
  })
})
