import assert from 'node:assert/strict'
import { test } from 'node:test'
import { startTestApp, type TestApp } from '../support/app.js'
import type { Config } from '../../src/config.js'
import { pruneExpiredCredentials } from '../../src/oauth/token.service.js'
import { addClient, addUser, claimsOf, issueCode, isTokenRevoked, redeem, refresh, TestClock, type TestClient } from './fixtures.js'

async function signedIn(overrides: Partial<Config> = {}) {
  const clock = new TestClock()
  const t = await startTestApp(overrides, { clock })
  const userId = await addUser(t.app)
  const client = await addClient(t.app)
  const { code, grantId } = await issueCode(t.app, client.app, userId)
  const tokens = (await redeem(t.app, client, code)).json() as { access_token: string; refresh_token: string }
  return { t, clock, userId, client, grantId, tokens }
}

async function refreshOk(t: TestApp, client: TestClient, token: string, extra: Record<string, string> = {}) {
  const response = await refresh(t.app, client, token, extra)
  assert.equal(response.statusCode, 200, response.body)
  return response.json() as { access_token: string; refresh_token: string; scope: string }
}

test('each refresh rotates the refresh token and issues a new access token under the same grant', async () => {
  const { t, client, grantId, tokens } = await signedIn()
  try {
    const next = await refreshOk(t, client, tokens.refresh_token)
    assert.notEqual(next.refresh_token, tokens.refresh_token)
    assert.equal(claimsOf(next.access_token).gid, grantId)
    assert.equal(next.scope, 'account repository')
    const after = await refreshOk(t, client, next.refresh_token)
    assert.notEqual(after.refresh_token, next.refresh_token)
  } finally {
    await t.close()
  }
})

test('refresh token reuse revokes the whole family and its access tokens', async () => {
  const { t, client, tokens } = await signedIn()
  try {
    const next = await refreshOk(t, client, tokens.refresh_token)
    const replay = await refresh(t.app, client, tokens.refresh_token)
    assert.equal(replay.statusCode, 400)
    assert.equal(replay.json().error, 'invalid_grant')

    for (const access of [tokens.access_token, next.access_token]) assert.equal(isTokenRevoked(t.app, access), true)
    // The legitimate holder's newest token is dead too: the thief and the user cannot be told apart.
    assert.equal((await refresh(t.app, client, next.refresh_token)).json().error, 'invalid_grant')
  } finally {
    await t.close()
  }
})

test('with a grace window, a retry soon after first use gets a new access token and the same successor, not a second branch', async () => {
  const { t, clock, client, tokens } = await signedIn({ refreshTokenReuseGraceSeconds: 10 })
  try {
    const first = await refreshOk(t, client, tokens.refresh_token)
    clock.advance(5)
    const retry = await refreshOk(t, client, tokens.refresh_token)
    assert.equal(retry.refresh_token, first.refresh_token, 'the retry gets the successor the first use got')
    assert.notEqual(retry.access_token, first.access_token)
    assert.equal(isTokenRevoked(t.app, first.access_token), false)
    assert.equal(isTokenRevoked(t.app, retry.access_token), false)
    const family = await t.app.db.selectFrom('refresh_tokens').select(['id', 'used_at']).where('grant_id', '=', claimsOf(first.access_token).gid!).execute()
    assert.equal(family.length, 2, 'one token used, one successor: no second branch')
    assert.equal(family.filter((r) => r.used_at === null).length, 1)
    // The one successor goes on as usual; using it twice (after its own window) is a replay.
    const next = await refreshOk(t, client, first.refresh_token)
    clock.advance(11)
    assert.equal((await refresh(t.app, client, retry.refresh_token)).json().error, 'invalid_grant')
    assert.equal((await refresh(t.app, client, next.refresh_token)).json().error, 'invalid_grant', 'the replay revoked the family')
  } finally {
    await t.close()
  }
})

test('with a grace window, several sequential retries all get the same successor', async () => {
  const { t, clock, client, tokens } = await signedIn({ refreshTokenReuseGraceSeconds: 30 })
  try {
    const first = await refreshOk(t, client, tokens.refresh_token)
    for (let i = 0; i < 3; i++) {
      clock.advance(5)
      assert.equal((await refreshOk(t, client, tokens.refresh_token)).refresh_token, first.refresh_token)
    }
  } finally {
    await t.close()
  }
})

test('the sealed successor is kept only for the grace window: the prune erases it', async () => {
  const { t, clock, client, tokens } = await signedIn({ refreshTokenReuseGraceSeconds: 10 })
  try {
    await refreshOk(t, client, tokens.refresh_token)
    const sealed = () => t.app.db.selectFrom('refresh_tokens').select('successor_sealed').where('used_at', 'is not', null).executeTakeFirstOrThrow()
    const stored = (await sealed()).successor_sealed
    assert.ok(stored !== null && !stored.includes(tokens.refresh_token.slice(-20)), 'stored sealed, never in the clear')
    clock.advance(61)
    await pruneExpiredCredentials(t.app.db, clock.now())
    assert.equal((await sealed()).successor_sealed, null)
  } finally {
    await t.close()
  }
})

test('with a grace window, reuse after the window still revokes the family', async () => {
  const { t, clock, client, tokens } = await signedIn({ refreshTokenReuseGraceSeconds: 10 })
  try {
    const first = await refreshOk(t, client, tokens.refresh_token)
    clock.advance(11)
    assert.equal((await refresh(t.app, client, tokens.refresh_token)).json().error, 'invalid_grant')
    assert.equal(isTokenRevoked(t.app, first.access_token), true)
  } finally {
    await t.close()
  }
})

test('with the grace window off, an immediate retry is already a replay', async () => {
  const { t, client, tokens } = await signedIn({ refreshTokenReuseGraceSeconds: 0 })
  try {
    const first = await refreshOk(t, client, tokens.refresh_token)
    assert.equal((await refresh(t.app, client, tokens.refresh_token)).json().error, 'invalid_grant')
    assert.equal((await refresh(t.app, client, first.refresh_token)).json().error, 'invalid_grant')
  } finally {
    await t.close()
  }
})

test('concurrent refreshes with one token and no grace window: one rotation wins, the other is a replay', async () => {
  const { t, client, tokens } = await signedIn()
  try {
    const responses = await Promise.all([refresh(t.app, client, tokens.refresh_token), refresh(t.app, client, tokens.refresh_token)])
    const [ok, failed] = [responses.filter((r) => r.statusCode === 200), responses.filter((r) => r.statusCode !== 200)]
    assert.equal(ok.length, 1)
    assert.equal(failed[0].json().error, 'invalid_grant')
    assert.equal(isTokenRevoked(t.app, ok[0].json().access_token), true)
  } finally {
    await t.close()
  }
})

test('concurrent refreshes with one token within a grace window all succeed with the same successor', async () => {
  const { t, client, tokens } = await signedIn({ refreshTokenReuseGraceSeconds: 5 })
  try {
    const responses = await Promise.all(Array.from({ length: 4 }, () => refresh(t.app, client, tokens.refresh_token)))
    assert.deepEqual(responses.map((r) => r.statusCode), [200, 200, 200, 200])
    const successors = new Set(responses.map((r) => r.json().refresh_token))
    assert.equal(successors.size, 1, 'one successor for all of them')
    const family = await t.app.db.selectFrom('refresh_tokens').select('id').where('grant_id', '=', claimsOf(tokens.access_token).gid!).execute()
    assert.equal(family.length, 2)
    await refreshOk(t, client, [...successors][0])
  } finally {
    await t.close()
  }
})

test('a refresh token expires after its idle lifetime', async () => {
  const { t, clock, client, tokens } = await signedIn({ refreshTokenIdleTtlSeconds: 3600 })
  try {
    clock.advance(3600)
    const response = await refresh(t.app, client, tokens.refresh_token)
    assert.equal(response.json().error, 'invalid_grant')
    assert.match(response.json().error_description, /expired/)
  } finally {
    await t.close()
  }
})

test('refreshing keeps a family alive only until its absolute lifetime', async () => {
  const { t, clock, client, tokens } = await signedIn({ refreshTokenIdleTtlSeconds: 3600, refreshTokenAbsoluteTtlSeconds: 3 * 3600 })
  try {
    let current = tokens.refresh_token
    for (let i = 0; i < 3; i++) {
      clock.advance(3000)
      current = (await refreshOk(t, client, current)).refresh_token
    }
    // 10 801 s after sign-in: the last token is 1801 s old, well inside its idle lifetime, but the grant has ended.
    clock.advance(1801)
    assert.equal((await refresh(t.app, client, current)).json().error, 'invalid_grant')
  } finally {
    await t.close()
  }
})

test('scope can be narrowed for one access token but never widened', async () => {
  const { t, client, tokens } = await signedIn()
  try {
    const narrowed = await refreshOk(t, client, tokens.refresh_token, { scope: 'account' })
    assert.equal(narrowed.scope, 'account')
    assert.equal(claimsOf(narrowed.access_token).scope, 'account')
    // The family keeps its scope.
    const full = await refreshOk(t, client, narrowed.refresh_token)
    assert.equal(full.scope, 'account repository')

    const widened = await refresh(t.app, client, full.refresh_token, { scope: 'account issue' })
    assert.equal(widened.statusCode, 400)
    assert.equal(widened.json().error, 'invalid_scope')
  } finally {
    await t.close()
  }
})

test('a refresh token only works for the app it was issued to', async () => {
  const { t, client, tokens } = await signedIn()
  try {
    const other = await addClient(t.app, { name: 'Other' })
    assert.equal((await refresh(t.app, other, tokens.refresh_token)).json().error, 'invalid_grant')
    await refreshOk(t, client, tokens.refresh_token)
  } finally {
    await t.close()
  }
})

test('a disabled user cannot refresh', async () => {
  const { t, userId, client, tokens } = await signedIn()
  try {
    await t.app.db.updateTable('users').set({ disabled_at: t.app.clock.now() }).where('id', '=', userId).execute()
    assert.equal((await refresh(t.app, client, tokens.refresh_token)).json().error, 'invalid_grant')
  } finally {
    await t.close()
  }
})
