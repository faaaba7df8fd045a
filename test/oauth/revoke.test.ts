import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestApp } from '../support/app.js'
import { addClient, addUser, asClient, claimsOf, issueCode, isTokenRevoked, postForm, redeem, refresh } from './fixtures.js'

async function signedIn() {
  const t = await startTestApp()
  const userId = await addUser(t.app)
  const client = await addClient(t.app)
  const { code, grantId } = await issueCode(t.app, client.app, userId)
  const tokens = (await redeem(t.app, client, code)).json() as { access_token: string; refresh_token: string }
  return { t, client, grantId, tokens }
}

test('revoking a refresh token revokes its family and the access tokens issued under it', async () => {
  const { t, client, tokens } = await signedIn()
  try {
    const response = await asClient(t.app, client, '/oauth/revoke', { token: tokens.refresh_token, token_type_hint: 'refresh_token' })
    assert.equal(response.statusCode, 200)
    assert.equal(response.body, '')
    assert.equal(isTokenRevoked(t.app, tokens.access_token), true)
    assert.equal((await refresh(t.app, client, tokens.refresh_token)).json().error, 'invalid_grant')
  } finally {
    await t.close()
  }
})

test('revoking an access token revokes that token only', async () => {
  const { t, client, tokens } = await signedIn()
  try {
    const response = await asClient(t.app, client, '/oauth/revoke', { token: tokens.access_token })
    assert.equal(response.statusCode, 200)
    assert.equal(isTokenRevoked(t.app, tokens.access_token), true)
    assert.equal(t.app.revocations.isGrantRevoked(claimsOf(tokens.access_token).gid!), false)
    assert.equal((await refresh(t.app, client, tokens.refresh_token)).statusCode, 200)
  } finally {
    await t.close()
  }
})

test("unknown tokens and other apps' tokens get 200 and change nothing", async () => {
  const { t, tokens } = await signedIn()
  try {
    const other = await addClient(t.app, { name: 'Other' })
    for (const token of ['nonsense', tokens.access_token, tokens.refresh_token]) {
      const response = await asClient(t.app, other, '/oauth/revoke', { token, token_type_hint: 'something_else' })
      assert.equal(response.statusCode, 200)
    }
    assert.equal(isTokenRevoked(t.app, tokens.access_token), false)
  } finally {
    await t.close()
  }
})

test('revocation needs client authentication', async () => {
  const { t, tokens } = await signedIn()
  try {
    const response = await postForm(t.app, '/oauth/revoke', { token: tokens.refresh_token })
    assert.equal(response.statusCode, 401)
    assert.equal(response.json().error, 'invalid_client')
  } finally {
    await t.close()
  }
})
