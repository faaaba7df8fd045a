import assert from 'node:assert/strict'
import { test } from 'node:test'
import { rotateClientSecret, setAppDisabled } from '../../src/apps/apps.service.js'
import { newId } from '../../src/domain/ids.js'
import { hashSecret } from '../../src/domain/opaque-token.js'
import { startTestApp } from '../support/app.js'
import { addClient, addUser, basic, postForm, TestClock } from './fixtures.js'

const grant = { grant_type: 'client_credentials' }

async function withOwnedClient(clock?: TestClock) {
  const t = await startTestApp({}, { clock })
  const ownerId = await addUser(t.app)
  const client = await addClient(t.app, { ownerId })
  return { t, client, secret: client.secret! }
}

test('client_secret_basic authenticates', async () => {
  const { t, client, secret } = await withOwnedClient()
  try {
    const response = await postForm(t.app, '/oauth/token', grant, { authorization: basic(client.app.clientId, secret) })
    assert.equal(response.statusCode, 200)
  } finally {
    await t.close()
  }
})

/** application/x-www-form-urlencoded, as RFC 6749 §2.3.1 asks: a space becomes `+`. */
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2)
const basicOf = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`

test('client_secret_basic form-urldecodes the client_id and secret (RFC 6749 §2.3.1)', async () => {
  const { t, client } = await withOwnedClient()
  // The ids and secrets Gatehouse issues never need encoding; one imported from elsewhere might.
  const clientId = 'legacy app:1%+x'
  const secret = 'pass word:%+=/'
  try {
    await t.app.db.updateTable('apps').set({ client_id: clientId }).where('id', '=', client.app.id).execute()
    await t.app.db.insertInto('app_secrets').values({ id: newId(), app_id: client.app.id, secret_hash: hashSecret(secret), created_at: t.app.clock.now(), expires_at: null }).execute()

    const encoded = basicOf(formEncode(clientId), formEncode(secret))
    assert.equal(formEncode(clientId), 'legacy+app%3A1%25%2Bx', 'a space is sent as a raw +')
    assert.equal((await postForm(t.app, '/oauth/token', grant, { authorization: encoded })).statusCode, 200)
    assert.equal((await postForm(t.app, '/oauth/token', grant, { authorization: basic(clientId, secret) })).statusCode, 200, 'percent-encoded spaces decode too')

    for (const authorization of [
      basicOf(clientId, secret),
      basicOf(formEncode(clientId), secret),
      basicOf(formEncode(clientId), formEncode(secret).replace('+', '%2B')),
    ]) {
      const refused = await postForm(t.app, '/oauth/token', grant, { authorization })
      assert.equal(refused.statusCode, 401, Buffer.from(authorization.slice(6), 'base64').toString())
      assert.equal(refused.json().error, 'invalid_client')
    }
  } finally {
    await t.close()
  }
})

test('client_secret_post authenticates', async () => {
  const { t, client, secret } = await withOwnedClient()
  try {
    const response = await postForm(t.app, '/oauth/token', { ...grant, client_id: client.app.clientId, client_secret: secret })
    assert.equal(response.statusCode, 200)
  } finally {
    await t.close()
  }
})

test('a wrong secret over Basic is invalid_client 401 with a Basic challenge', async () => {
  const { t, client } = await withOwnedClient()
  try {
    const response = await postForm(t.app, '/oauth/token', grant, { authorization: basic(client.app.clientId, 'gth_cs_wrong') })
    assert.equal(response.statusCode, 401)
    assert.equal(response.json().error, 'invalid_client')
    assert.equal(response.headers['www-authenticate'], 'Basic realm="gatehouse"')
  } finally {
    await t.close()
  }
})

test('a wrong secret in the body is invalid_client 401 without a Basic challenge', async () => {
  const { t, client } = await withOwnedClient()
  try {
    const response = await postForm(t.app, '/oauth/token', { ...grant, client_id: client.app.clientId, client_secret: 'nope' })
    assert.equal(response.statusCode, 401)
    assert.equal(response.json().error, 'invalid_client')
    assert.equal(response.headers['www-authenticate'], undefined)
  } finally {
    await t.close()
  }
})

test('an unknown client, missing credentials or malformed Basic credentials are invalid_client', async () => {
  const { t } = await withOwnedClient()
  try {
    const unknown = await postForm(t.app, '/oauth/token', { ...grant, client_id: 'nobody', client_secret: 'x' })
    assert.equal(unknown.statusCode, 401)
    const missing = await postForm(t.app, '/oauth/token', grant)
    assert.equal(missing.statusCode, 401)
    assert.equal(missing.json().error, 'invalid_client')
    for (const authorization of ['Basic', 'Basic !!!', `Basic ${Buffer.from('no-colon').toString('base64')}`, `Basic ${Buffer.from('%zz:secret').toString('base64')}`]) {
      const malformed = await postForm(t.app, '/oauth/token', grant, { authorization })
      assert.equal(malformed.statusCode, 401, authorization)
      assert.equal(malformed.json().error, 'invalid_client')
    }
  } finally {
    await t.close()
  }
})

test('two authentication methods in one request are invalid_request', async () => {
  const { t, client, secret } = await withOwnedClient()
  try {
    const response = await postForm(t.app, '/oauth/token', { ...grant, client_secret: secret }, { authorization: basic(client.app.clientId, secret) })
    assert.equal(response.statusCode, 400)
    assert.equal(response.json().error, 'invalid_request')
    const mismatched = await postForm(t.app, '/oauth/token', { ...grant, client_id: 'someone-else' }, { authorization: basic(client.app.clientId, secret) })
    assert.equal(mismatched.json().error, 'invalid_request')
  } finally {
    await t.close()
  }
})

test('a confidential app cannot authenticate with client_id alone', async () => {
  const { t, client } = await withOwnedClient()
  try {
    const response = await postForm(t.app, '/oauth/token', { ...grant, client_id: client.app.clientId })
    assert.equal(response.statusCode, 401)
    assert.equal(response.json().error, 'invalid_client')
  } finally {
    await t.close()
  }
})

test('a public app authenticates with client_id alone and cannot present a secret', async () => {
  const t = await startTestApp()
  try {
    const client = await addClient(t.app, { isPublic: true })
    const none = await postForm(t.app, '/oauth/token', { grant_type: 'refresh_token', refresh_token: 'x', client_id: client.app.clientId })
    assert.equal(none.json().error, 'invalid_grant', 'authentication passed; the refresh token did not')
    const withSecret = await postForm(t.app, '/oauth/token', { grant_type: 'refresh_token', refresh_token: 'x', client_id: client.app.clientId, client_secret: 'anything' })
    assert.equal(withSecret.statusCode, 401)
  } finally {
    await t.close()
  }
})

test('a disabled app fails authentication', async () => {
  const { t, client, secret } = await withOwnedClient()
  try {
    await setAppDisabled(t.app.db, t.app.clock, client.app.clientId, true)
    const response = await postForm(t.app, '/oauth/token', grant, { authorization: basic(client.app.clientId, secret) })
    assert.equal(response.statusCode, 401)
    assert.equal(response.json().error, 'invalid_client')
  } finally {
    await t.close()
  }
})

test('disabling an app takes effect within the authentication cache window', async () => {
  const clock = new TestClock()
  const { t, client, secret } = await withOwnedClient(clock)
  try {
    const auth = { authorization: basic(client.app.clientId, secret) }
    assert.equal((await postForm(t.app, '/oauth/token', grant, auth)).statusCode, 200)
    await setAppDisabled(t.app.db, t.app.clock, client.app.clientId, true)
    clock.advance(6)
    assert.equal((await postForm(t.app, '/oauth/token', grant, auth)).statusCode, 401)
  } finally {
    await t.close()
  }
})

test('secret rotation: the old secret works until the grace period ends, then not; the new one works at once', async () => {
  const clock = new TestClock()
  const { t, client, secret: oldSecret } = await withOwnedClient(clock)
  try {
    assert.equal((await postForm(t.app, '/oauth/token', grant, { authorization: basic(client.app.clientId, oldSecret) })).statusCode, 200)
    const { clientSecret: newSecret, previousSecretsExpireAt } = await rotateClientSecret(t.app.db, t.app.clock, client.app.clientId, { graceSeconds: 60 }, t.app.secrets)
    assert.equal(previousSecretsExpireAt, clock.now() + 60_000)

    assert.equal((await postForm(t.app, '/oauth/token', grant, { authorization: basic(client.app.clientId, newSecret) })).statusCode, 200)
    clock.advance(59)
    assert.equal((await postForm(t.app, '/oauth/token', grant, { authorization: basic(client.app.clientId, oldSecret) })).statusCode, 200)
    clock.advance(1)
    const expired = await postForm(t.app, '/oauth/token', grant, { authorization: basic(client.app.clientId, oldSecret) })
    assert.equal(expired.statusCode, 401)
    assert.equal((await postForm(t.app, '/oauth/token', grant, { authorization: basic(client.app.clientId, newSecret) })).statusCode, 200)
  } finally {
    await t.close()
  }
})

test('a second rotation never extends the grace period of a secret already on its way out', async () => {
  const clock = new TestClock()
  const { t, client, secret: first } = await withOwnedClient(clock)
  try {
    await rotateClientSecret(t.app.db, t.app.clock, client.app.clientId, { graceSeconds: 10 }, t.app.secrets)
    await rotateClientSecret(t.app.db, t.app.clock, client.app.clientId, { graceSeconds: 3600 }, t.app.secrets)
    clock.advance(10)
    assert.equal((await postForm(t.app, '/oauth/token', grant, { authorization: basic(client.app.clientId, first) })).statusCode, 401)
  } finally {
    await t.close()
  }
})
