import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createRegistrationToken } from '../../src/oauth/registration-tokens.js'
import { pruneExpiredCredentials } from '../../src/oauth/token.service.js'
import { startTestApp } from '../support/app.js'
import { addClient, addUser, issueCode, redeem, TestClock } from './fixtures.js'

test('pruning deletes expired codes, refresh tokens, grants and spent registration tokens, and keeps live ones', async () => {
  const clock = new TestClock()
  const t = await startTestApp({ refreshTokenIdleTtlSeconds: 3600, refreshTokenAbsoluteTtlSeconds: 7200 }, { clock })
  try {
    const userId = await addUser(t.app)
    const client = await addClient(t.app)
    await redeem(t.app, client, (await issueCode(t.app, client.app, userId)).code)
    await createRegistrationToken(t.app.db, t.app.clock, { expiresInSeconds: 60 }, t.app.secrets)
    const count = async (table: 'authorization_codes' | 'refresh_tokens' | 'grants' | 'registration_tokens') =>
      Number((await t.app.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n)

    assert.deepEqual(await pruneExpiredCredentials(t.app.db, clock.now()), { codes: 0, refreshTokens: 0, grants: 0, registrationTokens: 0 })
    clock.advance(3600)
    const idle = await pruneExpiredCredentials(t.app.db, clock.now())
    assert.deepEqual(idle, { codes: 1, refreshTokens: 1, grants: 0, registrationTokens: 1 })
    assert.equal(await count('grants'), 1)
    clock.advance(3600)
    assert.equal((await pruneExpiredCredentials(t.app.db, clock.now())).grants, 1)
    for (const table of ['authorization_codes', 'refresh_tokens', 'grants', 'registration_tokens'] as const) assert.equal(await count(table), 0, table)
  } finally {
    await t.close()
  }
})
