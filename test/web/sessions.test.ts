import assert from 'node:assert/strict'
import { test } from 'node:test'
import { deleteAllExpiredSessions, insertSession } from '../../src/web/sessions.queries.js'
import { createUser } from '../../src/users/users.service.js'
import { startTestApp } from '../support/app.js'

test('pruning deletes every expired session and keeps live ones', async () => {
  const t = await startTestApp()
  try {
    const user = await createUser(t.app.db, t.app.clock, { username: 'ada', password: 'correct horse battery' })
    const now = Date.now()
    for (const [id, expiresAt] of [['old', now - 1], ['live', now + 60_000]] as const) {
      await insertSession(t.app.db, { id, token_hash: `hash-${id}`, user_id: user.id, created_at: now - 1000, expires_at: expiresAt, last_seen_at: now - 1000 })
    }
    assert.equal(await deleteAllExpiredSessions(t.app.db, now), 1)
    const left = await t.app.db.selectFrom('sessions').select('id').execute()
    assert.deepEqual(left.map((s) => s.id), ['live'])
  } finally {
    await t.close()
  }
})
