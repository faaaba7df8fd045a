import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { EXPLICIT_CONSENT_FLAG, EXPLICIT_CONSENT_VENDOR_FLAG, explicitConsentApplies, isEnabledFor, listFlagsFor, setFlag } from '../../src/labs/index.js'
import type { TestApp } from '../support/app.js'
import { form, insertUser, signIn, signedInCsrf, startWebApp } from '../web/fixtures.js'

const LABS = '/account/labs'
const ORIGIN = { origin: 'http://127.0.0.1:8080' }
const SERVER = { issuer: 'http://127.0.0.1:8080', audience: 'http://127.0.0.1:8080/2.0' }

describe('Labs in the default mode (GATEHOUSE_EXPLICIT_CONSENT=on)', () => {
  let t: TestApp
  before(async () => {
    t = await startWebApp(SERVER)
  })
  after(async () => {
    await t?.close()
  })

  async function browserOf(username: string) {
    const jar = await signIn(t.app, username)
    return { jar, csrf: await signedInCsrf(t.app, jar) }
  }

  test('the page lists every flag, off, with what it does, who it is for, and that the deployment makes it moot', async () => {
    await insertUser(t.app, 'lab1')
    const browser = await browserOf('lab1')
    const page = await t.app.inject({ method: 'GET', url: LABS, cookies: browser.jar })
    assert.equal(page.statusCode, 200)
    assert.equal(page.headers['cache-control'], 'no-store')
    assert.match(page.body, /<h1 id="title">Labs<\/h1>/)
    assert.match(page.body, /<a href="\/account\/labs" aria-current="page">Labs<\/a>/, 'in the Account group of the navigation, current')
    assert.match(page.body, /Explicit consent for embedded apps&#39; requests/)
    assert.match(page.body, /Explicit consent for my apps&#39; requests \(vendors\)/)
    assert.match(page.body, /For app vendors/)
    assert.equal(page.body.match(/<span class="badge">Off<\/span>/g)?.length, 2)
    assert.equal(page.body.match(/Explicit consent is on for everyone on this deployment/g)?.length, 2)
    assert.equal(page.body.match(/<input type="hidden" name="enabled" value="on">/g)?.length, 2)
  })

  test('a toggle turns a flag on for this account alone, says so, and turns it off again', async () => {
    const me = await insertUser(t.app, 'lab2')
    const other = await insertUser(t.app, 'lab2b')
    const browser = await browserOf('lab2')
    const on = await t.app.inject({ method: 'POST', url: `${LABS}/${EXPLICIT_CONSENT_FLAG}`, cookies: browser.jar, ...form({ enabled: 'on', csrf_token: browser.csrf }, ORIGIN) })
    assert.equal(on.statusCode, 303)
    assert.equal(on.headers.location, `${LABS}?flag=explicit-consent&turned=on`)
    assert.equal(await isEnabledFor(t.app.db, me.id, EXPLICIT_CONSENT_FLAG), true)
    assert.equal(await isEnabledFor(t.app.db, me.id, EXPLICIT_CONSENT_VENDOR_FLAG), false)
    assert.equal(await isEnabledFor(t.app.db, other.id, EXPLICIT_CONSENT_FLAG), false, 'nobody else')

    const page = await t.app.inject({ method: 'GET', url: on.headers.location as string, cookies: browser.jar })
    assert.match(page.body, /role="status">“Explicit consent for embedded apps&#39; requests” is on for your account\.<\/p>/)
    assert.match(page.body, /<span class="badge ok">On<\/span> <span class="muted">since <time datetime="/)
    assert.match(page.body, /<input type="hidden" name="enabled" value="off">\s*<button type="submit" class="secondary small" aria-describedby="flag-explicit-consent">Turn off<\/button>/)

    // Twice on keeps the first time.
    const first = (await listFlagsFor(t.app.db, me.id)).find((f) => f.name === EXPLICIT_CONSENT_FLAG)!.enabledAt
    await setFlag({ db: t.app.db, clock: t.app.clock }, me.id, EXPLICIT_CONSENT_FLAG, true)
    assert.equal((await listFlagsFor(t.app.db, me.id)).find((f) => f.name === EXPLICIT_CONSENT_FLAG)!.enabledAt, first)

    const off = await t.app.inject({ method: 'POST', url: `${LABS}/${EXPLICIT_CONSENT_FLAG}`, cookies: browser.jar, ...form({ enabled: 'off', csrf_token: browser.csrf }, ORIGIN) })
    assert.equal(off.headers.location, `${LABS}?flag=explicit-consent&turned=off`)
    assert.equal(await isEnabledFor(t.app.db, me.id, EXPLICIT_CONSENT_FLAG), false)
    const after = await t.app.inject({ method: 'GET', url: off.headers.location as string, cookies: browser.jar })
    assert.match(after.body, /is off for your account\./)
  })

  test('signed out, the page sends the browser to sign in; a post without the CSRF token, or for an unknown flag, changes nothing', async () => {
    const me = await insertUser(t.app, 'lab3')
    const signedOut = await t.app.inject({ method: 'GET', url: LABS })
    assert.equal(signedOut.statusCode, 303)
    assert.equal(signedOut.headers.location, `/login?return_to=${encodeURIComponent(LABS)}`)

    const browser = await browserOf('lab3')
    const forged = await t.app.inject({ method: 'POST', url: `${LABS}/${EXPLICIT_CONSENT_FLAG}`, cookies: browser.jar, ...form({ enabled: 'on' }, ORIGIN) })
    assert.equal(forged.statusCode, 403)
    assert.equal(await isEnabledFor(t.app.db, me.id, EXPLICIT_CONSENT_FLAG), false)

    const unknown = await t.app.inject({ method: 'POST', url: `${LABS}/no-such-flag`, cookies: browser.jar, headers: { ...form({ enabled: 'on', csrf_token: browser.csrf }, ORIGIN).headers, accept: 'text/html' }, payload: form({ enabled: 'on', csrf_token: browser.csrf }).payload })
    assert.equal(unknown.statusCode, 404)
    assert.match(unknown.headers['content-type'] as string, /text\/html/)
    assert.match(unknown.body, /There is no Labs flag named &quot;no-such-flag&quot;/)
    assert.equal((await t.app.db.selectFrom('feature_flags').selectAll().where('user_id', '=', me.id).execute()).length, 0)
  })

  test('in mode on, explicit consent applies whatever the flags say', async () => {
    const vendor = await insertUser(t.app, 'ven4')
    const user = await insertUser(t.app, 'use4')
    const deps = { db: t.app.db, mode: t.app.config.explicitConsent }
    assert.equal(deps.mode, 'on')
    assert.equal(await explicitConsentApplies(deps, { vendorId: vendor.id, userId: user.id }), true)
    assert.equal(await explicitConsentApplies(deps, { vendorId: null, userId: user.id }), true)
  })

  test('deleting an account deletes its flags with it', async () => {
    const gone = await insertUser(t.app, 'gone5')
    await setFlag({ db: t.app.db, clock: t.app.clock }, gone.id, EXPLICIT_CONSENT_VENDOR_FLAG, true)
    await t.app.db.deleteFrom('users').where('id', '=', gone.id).execute()
    assert.equal((await t.app.db.selectFrom('feature_flags').selectAll().where('user_id', '=', gone.id).execute()).length, 0)
  })
})

describe('Labs in mode labs (GATEHOUSE_EXPLICIT_CONSENT=labs)', () => {
  let t: TestApp
  before(async () => {
    t = await startWebApp({ ...SERVER, explicitConsent: 'labs' })
  })
  after(async () => {
    await t?.close()
  })

  test('explicit consent applies only when the vendor and the user both have their flag', async () => {
    const vendor = await insertUser(t.app, 'ven6')
    const user = await insertUser(t.app, 'use6')
    const deps = { db: t.app.db, mode: t.app.config.explicitConsent }
    const labs = { db: t.app.db, clock: t.app.clock }
    const applies = () => explicitConsentApplies(deps, { vendorId: vendor.id, userId: user.id })

    assert.equal(await applies(), false, 'neither')
    await setFlag(labs, user.id, EXPLICIT_CONSENT_FLAG, true)
    assert.equal(await applies(), false, 'the user only')
    await setFlag(labs, vendor.id, EXPLICIT_CONSENT_VENDOR_FLAG, true)
    assert.equal(await applies(), true, 'both')
    assert.equal(await explicitConsentApplies(deps, { vendorId: null, userId: user.id }), false, 'an app without a vendor account')
    await setFlag(labs, user.id, EXPLICIT_CONSENT_FLAG, false)
    assert.equal(await applies(), false, 'the vendor only')

    // Each flag counts only for its own side: the user's vendor flag and the vendor's user flag do nothing.
    await setFlag(labs, user.id, EXPLICIT_CONSENT_VENDOR_FLAG, true)
    await setFlag(labs, vendor.id, EXPLICIT_CONSENT_FLAG, true)
    await setFlag(labs, vendor.id, EXPLICIT_CONSENT_VENDOR_FLAG, false)
    assert.equal(await applies(), false, 'flags swapped')
    // A vendor trying their own app as a user needs both flags.
    await setFlag(labs, user.id, EXPLICIT_CONSENT_FLAG, true)
    assert.equal(await explicitConsentApplies(deps, { vendorId: user.id, userId: user.id }), true)
  })

  test('the page says nothing of the deployment making the flags moot', async () => {
    await insertUser(t.app, 'lab7')
    const jar = await signIn(t.app, 'lab7')
    const page = await t.app.inject({ method: 'GET', url: LABS, cookies: jar })
    assert.equal(page.statusCode, 200)
    assert.doesNotMatch(page.body, /on for everyone on this deployment/)
  })
})
