import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodeProtectedHeader } from 'jose'
import { AccessTokens } from '../../src/oauth/access-token.js'
import { SigningKeys } from '../../src/oauth/signing-keys.js'
import { migrateToLatest } from '../../src/store/database.js'
import { createTestDatabase } from '../support/database.js'

const settings = { issuer: 'http://gatehouse.test', audience: 'http://gatehouse.test/2.0', ttlSeconds: 3600 }

test('key rotation: new tokens use the new kid, old tokens still verify until the old key expires', async () => {
  const database = await createTestDatabase()
  const store = database.open()
  let now = Date.UTC(2026, 10, 23)
  const clock = { now: () => now }
  try {
    await migrateToLatest(store.db)
    const keys = new SigningKeys(store.db, clock, (3600 + 300) * 1000)
    await keys.init()
    const tokens = new AccessTokens(keys, clock, settings)
    const before = await tokens.issue({ subject: 'u1', clientId: 'c1', scope: 'account' })
    const oldKid = decodeProtectedHeader(before.token).kid

    const newKid = await keys.rotate()
    assert.notEqual(newKid, oldKid)
    const after = await tokens.issue({ subject: 'u1', clientId: 'c1', scope: 'account' })
    assert.equal(decodeProtectedHeader(after.token).kid, newKid)
    assert.deepEqual(keys.jwks().keys.map((k) => k.kid).sort(), [oldKid, newKid].sort())
    assert.equal((await tokens.verify(before.token)).sub, 'u1')

    // A second process on the same database learns of the new key when it meets its kid.
    const otherKeys = new SigningKeys(store.db, clock, (3600 + 300) * 1000)
    await otherKeys.init()
    const otherTokens = new AccessTokens(otherKeys, clock, settings)
    assert.equal((await otherTokens.verify(after.token)).sub, 'u1')

    // After the old key's tokens have all expired, it leaves JWKS.
    now += (3600 + 301) * 1000
    await keys.reload()
    assert.deepEqual(keys.jwks().keys.map((k) => k.kid), [newKid])
  } finally {
    await store.destroy()
    await database.drop()
  }
})

test('jwt algorithm confusion: a token signed with HS256 or alg none is rejected', async () => {
  const database = await createTestDatabase()
  const store = database.open()
  try {
    await migrateToLatest(store.db)
    const keys = new SigningKeys(store.db, { now: () => Date.now() }, 3900_000)
    await keys.init()
    const tokens = new AccessTokens(keys, { now: () => Date.now() }, settings)
    const { token } = await tokens.issue({ subject: 'u1', clientId: 'c1', scope: 'account' })
    const [, payload] = token.split('.')
    const kid = decodeProtectedHeader(token).kid
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid })).toString('base64url')}.${payload}.`
    await assert.rejects(tokens.verify(none), { code: 'ERR_INVALID_TOKEN' })
    const { SignJWT } = await import('jose')
    const hs = await new SignJWT(JSON.parse(Buffer.from(payload, 'base64url').toString()))
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
      .sign(new TextEncoder().encode('x'.repeat(32)))
    await assert.rejects(tokens.verify(hs), { code: 'ERR_INVALID_TOKEN' })
    await assert.rejects(tokens.verify('not.a.jwt'), { code: 'ERR_INVALID_TOKEN' })
  } finally {
    await store.destroy()
    await database.drop()
  }
})

test('a key made by another process a moment after this one reloaded is still found for its first token', async () => {
  // Two servers starting together on an empty database may each create a key before seeing the other's.
  const database = await createTestDatabase()
  const storeA = database.open()
  const storeB = database.open()
  const clock = { now: () => Date.now() }
  try {
    await migrateToLatest(storeA.db)
    const keysA = new SigningKeys(storeA.db, clock, 3900_000)
    const keysB = new SigningKeys(storeB.db, clock, 3900_000)
    await keysB.init()
    await keysB.reload()
    await keysA.init()
    await keysA.rotate()
    const { token } = await new AccessTokens(keysA, clock, settings).issue({ subject: 'u1', clientId: 'c1', scope: 'account' })
    assert.equal((await new AccessTokens(keysB, clock, settings).verify(token)).sub, 'u1')
  } finally {
    await Promise.all([storeA.destroy(), storeB.destroy()])
    await database.drop()
  }
})
