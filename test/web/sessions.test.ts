import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadConfig } from '../../src/config.js'
import { ConfigError } from '../../src/errors.js'
import * as sessionsMigration from '../../src/store/migrations/2026_11_23_0004_sessions.js'
import { createUser } from '../../src/users/users.service.js'
import { deleteAllExpiredSessions, insertSession } from '../../src/web/sessions.queries.js'
import { startTestApp } from '../support/app.js'

test('pruning deletes every session past its absolute end or idle too long, and keeps live ones', async () => {
  const t = await startTestApp()
  try {
    const user = await createUser(t.app.db, t.app.clock, { username: 'ada', password: 'correct horse battery' })
    const now = Date.now()
    const idleCutoff = now - 7200_000
    for (const [id, expiresAt, lastSeenAt] of [
      ['ended', now - 1, now - 1000],
      ['idle', now + 60_000, idleCutoff],
      ['live', now + 60_000, idleCutoff + 1],
    ] as const) {
      await insertSession(t.app.db, { id, token_hash: `hash-${id}`, user_id: user.id, created_at: now - 1000, expires_at: expiresAt, last_seen_at: lastSeenAt, ip_address: null, user_agent: null })
    }
    assert.equal(await deleteAllExpiredSessions(t.app.db, now, idleCutoff), 2)
    const left = await t.app.db.selectFrom('sessions').select('id').execute()
    assert.deepEqual(left.map((s) => s.id), ['live'])
  } finally {
    await t.close()
  }
})

test('GATEHOUSE_SESSION_IDLE_TTL: two hours by default, at least five minutes, at most 30 days', () => {
  assert.equal(loadConfig({}).sessionIdleTtlSeconds, 7200)
  assert.equal(loadConfig({ GATEHOUSE_SESSION_IDLE_TTL: '900' }).sessionIdleTtlSeconds, 900)
  for (const value of ['60', '2592001', '2h', '-1']) {
    assert.throws(() => loadConfig({ GATEHOUSE_SESSION_IDLE_TTL: value }), (error: unknown) => error instanceof ConfigError && /^GATEHOUSE_SESSION_IDLE_TTL /.test(error.message), value)
  }
})

test('the sessions migration goes down and up again, keeping existing sessions', async () => {
  const t = await startTestApp()
  try {
    const user = await createUser(t.app.db, t.app.clock, { username: 'ada', password: 'correct horse battery' })
    const now = Date.now()
    const row = { id: 's1', token_hash: 'hash-s1', user_id: user.id, created_at: now, expires_at: now + 60_000, last_seen_at: now }
    await insertSession(t.app.db, { ...row, ip_address: '192.0.2.1', user_agent: 'Browser/1' })
    await sessionsMigration.down(t.app.db)
    await assert.rejects(t.app.db.selectFrom('sessions').select('ip_address').execute())
    assert.deepEqual(await t.app.db.selectFrom('sessions').select(['id', 'last_seen_at']).execute(), [{ id: 's1', last_seen_at: now }])
    await sessionsMigration.up(t.app.db)
    assert.deepEqual(await t.app.db.selectFrom('sessions').select(['id', 'ip_address', 'user_agent']).execute(), [{ id: 's1', ip_address: null, user_agent: null }])
  } finally {
    await t.close()
  }
})
