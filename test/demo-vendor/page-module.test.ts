import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { SignJWT } from 'jose'
import { queryStringHash } from '../../src/domain/qsh.js'
import { DEMO_VENDOR_KEY, pageModuleSrc, PAGE_CONTEXT_SECONDS, REPORTS_PAGE } from '../../src/demo-vendor/index.js'
import { install, payload, sendCallback, startVendor, type InstalledPayload, type VendorFixture } from './fixtures.js'

describe('the demo vendor: its page module', () => {
  let v: VendorFixture
  let installed: InstalledPayload
  const frame = (overrides: Partial<Parameters<typeof pageModuleSrc>[0]> = {}) =>
    pageModuleSrc({ appKey: DEMO_VENDOR_KEY, appBaseUrl: v.baseUrl, moduleUrl: REPORTS_PAGE.url, clientKey: installed.clientKey, sharedSecret: installed.sharedSecret!, userId: 'user-1', now: Date.now(), ...overrides })
  const pageUrl = () => `${v.baseUrl}${REPORTS_PAGE.url}`

  before(async () => {
    v = await startVendor()
    installed = await install(v, 'ck-page')
  })
  after(() => v.close())

  test('the platform\'s iframe src (HS256 by the shared secret, iss clientKey, sub the user, aud the app key, qsh of the GET) shows the installation', async () => {
    const src = await frame()
    assert.ok(src.startsWith(`${pageUrl()}?jwt=`))
    const response = await fetch(src)
    const body = await response.text()
    assert.equal(response.status, 200, body)
    assert.match(response.headers.get('content-type')!, /^text\/html/)
    assert.match(body, /ck-page/)
    assert.match(body, /oauth-ck-page/)
    assert.match(body, /user <code>user-1<\/code>/)
    assert.match(body, /Call with an app JWT/)
    assert.match(body, /Call with the JWT grant/)
    assert.match(body, /Call as you \(impersonation\)/)
    assert.match(body, /name="token" value="ey/)
  })

  test('only the platform may frame it; it loads nothing but its stylesheet, the platform\'s connect/all.js and its own script, posts only to itself and leaks no Referer', async () => {
    const response = await fetch(await frame())
    const csp = response.headers.get('content-security-policy')!
    const origin = new URL(v.issuer).origin
    assert.match(csp, new RegExp(`frame-ancestors ${origin}(;|$)`))
    assert.match(csp, /default-src 'none'/)
    assert.match(csp, new RegExp(`form-action ${origin}(;|$)`))
    assert.match(csp, new RegExp(`script-src ${v.issuer}/connect/all\\.js ${v.baseUrl}/assets/reports\\.js(;|$)`))
    assert.equal(response.headers.get('x-frame-options'), null, 'no helmet DENY/SAMEORIGIN: framing is decided by frame-ancestors')
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer')
    assert.equal(response.headers.get('cache-control'), 'no-store')
    const css = await fetch(`${v.baseUrl}/assets/vendor.css`)
    assert.equal(css.status, 200)
    assert.match(css.headers.get('content-type')!, /^text\/css/)
    const script = await fetch(`${v.baseUrl}/assets/reports.js`)
    assert.equal(script.status, 200)
    assert.match(script.headers.get('content-type')!, /^text\/javascript/)
    const body = await response.text()
    assert.match(body, new RegExp(`<script src="${v.issuer}/connect/all\\.js"></script>`))
    assert.match(body, /<script src="\/demo-vendor\/assets\/reports\.js" defer><\/script>/)
  })

  test('a module url with a query of its own: the token follows with &jwt=, and the query is in the qsh', async () => {
    const src = await frame({ moduleUrl: `${REPORTS_PAGE.url}?tab=all` })
    assert.ok(src.startsWith(`${pageUrl()}?tab=all&jwt=`))
    assert.equal((await fetch(src)).status, 200)
    // The same token for the page without the query does not pass.
    const token = new URL(src).searchParams.get('jwt')!
    assert.equal((await fetch(`${pageUrl()}?jwt=${token}`)).status, 401)
  })

  describe('refused', () => {
    const refused = async (url: string, status: number, message: RegExp) => {
      const response = await fetch(url)
      const body = await response.text()
      assert.equal(response.status, status, body)
      assert.match(response.headers.get('content-type')!, /^text\/html/)
      assert.match(body, message)
      assert.doesNotMatch(body, /name="token"/)
    }
    const signed = (claims: Record<string, unknown>, secret = installed.sharedSecret!) => {
      const iat = Math.floor(Date.now() / 1000)
      return new SignJWT({ qsh: queryStringHash({ method: 'GET', url: pageUrl(), baseUrl: v.baseUrl }), iss: installed.clientKey, sub: 'user-1', aud: DEMO_VENDOR_KEY, iat, exp: iat + PAGE_CONTEXT_SECONDS, ...claims })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .sign(new TextEncoder().encode(secret))
    }

    test('without a context token', () => refused(pageUrl(), 401, /adds a &quot;jwt&quot; parameter/))
    test('a token for another page (wrong qsh)', async () => {
      const src = await frame({ moduleUrl: '/pages/other' })
      await refused(`${pageUrl()}?jwt=${new URL(src).searchParams.get('jwt')}`, 401, /&quot;qsh&quot; claim does not match/)
    })
    test('a token for a POST of the page (wrong qsh)', async () => {
      const token = await signed({ qsh: queryStringHash({ method: 'POST', url: pageUrl(), baseUrl: v.baseUrl }) })
      await refused(`${pageUrl()}?jwt=${token}`, 401, /qsh/)
    })
    test('regression: jwt audience validation — a token for another app, or naming none', async () => {
      await refused(`${pageUrl()}?jwt=${await signed({ aud: 'another-app' })}`, 401, /&quot;aud&quot;/)
      await refused(`${pageUrl()}?jwt=${await signed({ aud: undefined })}`, 401, /&quot;aud&quot;/)
    })
    test('signed with another secret', async () => refused(`${pageUrl()}?jwt=${await signed({}, 'gth_is_not-the-shared-secret')}`, 401, /signature does not verify/))
    test('expired', async () => {
      const iat = Math.floor(Date.now() / 1000) - 600
      await refused(`${pageUrl()}?jwt=${await signed({ iat, exp: iat + 180 })}`, 401, /has expired/)
    })
    test('living too long', async () => {
      const iat = Math.floor(Date.now() / 1000)
      await refused(`${pageUrl()}?jwt=${await signed({ iat, exp: iat + 3600 })}`, 401, /at most 300 s/)
    })
    test('without a user (sub)', async () => refused(`${pageUrl()}?jwt=${await signed({ sub: undefined })}`, 401, /&quot;sub&quot;/))
    test('an unsigned token (alg none)', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')
      const claims = (await signed({})).split('.')[1]
      await refused(`${pageUrl()}?jwt=${header}.${claims}.`, 401, /context token/)
    })
    test('an installation it does not have', async () => {
      await refused(await frame({ clientKey: 'ck-unknown' }), 401, /installation this app does not have/)
    })
    test('a disabled installation, and an uninstalled one', async () => {
      const other = await install(v, 'ck-page-disabled')
      const src = () => frame({ clientKey: other.clientKey, sharedSecret: other.sharedSecret! })
      assert.equal((await sendCallback(v, 'disabled', payload(v, 'disabled', other.clientKey))).status, 204)
      await refused(await src(), 403, /disabled in the workspace/)
      assert.equal((await sendCallback(v, 'enabled', payload(v, 'enabled', other.clientKey))).status, 204)
      assert.equal((await fetch(await src())).status, 200)
      assert.equal((await sendCallback(v, 'uninstalled', payload(v, 'uninstalled', other.clientKey))).status, 204)
      await refused(await src(), 401, /never installed, or uninstalled/)
    })
  })

  describe('its forms', () => {
    const post = (form: Record<string, string>) =>
      fetch(`${pageUrl()}/calls`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })
    const formTokenOf = async (src: string) => /name="token" value="([^"]+)"/.exec(await (await fetch(src)).text())![1]

    test('refuse a post without the page\'s token, or with a forged one', async () => {
      const missing = await post({ method: 'app-jwt' })
      assert.equal(missing.status, 400)
      const forged = await post({ method: 'app-jwt', token: await new SignJWT({ ck: 'ck-page' }).setProtectedHeader({ alg: 'HS256' }).setSubject('user-1').setExpirationTime('5m').sign(new TextEncoder().encode(installed.sharedSecret!)) })
      assert.equal(forged.status, 401)
      assert.match(await forged.text(), /open the page again/)
      assert.equal(v.installation('ck-page')!.calls.length, 0)
    })

    test('a call from the page goes to the platform over HTTP, is shown with its request and answer (credentials masked), and is kept with the installation', async () => {
      const token = await formTokenOf(await frame())
      const response = await post({ method: 'app-jwt', token })
      const body = await response.text()
      assert.equal(response.status, 200, body)
      const [call] = v.installation('ck-page')!.calls
      assert.equal(call.method, 'app-jwt')
      assert.equal(call.userId, 'user-1')
      const [step] = call.steps
      assert.ok(step.request.startsWith(`GET ${v.issuer}/2.0/workspaces?pagelen=10\nauthorization: JWT `), step.request)
      assert.match(step.request, /\(masked\)/)
      assert.ok(!step.request.includes(installed.sharedSecret!))
      assert.equal(typeof step.status, 'number', 'a real HTTP answer from the platform')
      assert.equal(step.claims!.iss, 'ck-page')
      assert.equal(step.claims!.qsh, queryStringHash({ method: 'GET', url: `${v.issuer}/2.0/workspaces?pagelen=10`, baseUrl: v.issuer }))
      assert.ok((step.claims!.exp as number) - (step.claims!.iat as number) <= 180)
      assert.match(body, /<h2 id="latest">Result<\/h2>/)
      assert.match(body, /GET http:\/\/127\.0\.0\.1:\d+\/2\.0\/workspaces\?pagelen=10/)
    })

    test('a person sees only the calls they made (an impersonation\'s answer is about them), the one who made it sees them later', async () => {
      assert.equal(v.installation('ck-page')!.calls.length, 1)
      assert.doesNotMatch(await (await fetch(await frame({ userId: 'user-2' }))).text(), /Earlier calls/)
      assert.match(await (await fetch(await frame())).text(), /Earlier calls/)
    })
  })
})
