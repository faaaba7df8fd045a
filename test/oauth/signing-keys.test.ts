import assert from 'node:assert/strict'
import { createPrivateKey } from 'node:crypto'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose'
import { AccessTokens } from '../../src/oauth/access-token.js'
import { JWKS_MAX_AGE_SECONDS, KEY_ACTIVATION_DELAY_MS, KEY_POLL_MS, rewrapSigningKeys, SigningKeys, type SigningKeysOptions } from '../../src/oauth/signing-keys.js'
import { announceKeyChange, SigningKeySync } from '../../src/oauth/signing-keys-sync.js'
import { migrateToLatest } from '../../src/store/database.js'
import { generateKekText, parseKek, type Keyring } from '../../src/store/secret-box.js'
import { createTestDatabase, type TestDatabase } from '../support/database.js'
import type { Store } from '../../src/store/database.js'
import { TestClock } from './fixtures.js'

const settings = { issuer: 'http://gatehouse.test', audience: 'http://gatehouse.test/2.0', ttlSeconds: 3600 }
const LIFETIME_MS = (3600 + 300) * 1000

function newKeyring(previous: Keyring['previous'] = []): Keyring {
  return { current: parseKek(generateKekText())!, previous }
}

/** One database, and as many "nodes" (SigningKeys on their own connection) as a test asks for. */
async function withKeys(run: (context: { store: Store; database: TestDatabase; keyring: Keyring; node(options?: Partial<SigningKeysOptions>): Promise<SigningKeys> }) => Promise<void>): Promise<void> {
  const database = await createTestDatabase()
  const stores: Store[] = [database.open()]
  const keyring = newKeyring()
  try {
    await migrateToLatest(stores[0]!.db)
    await run({
      store: stores[0]!,
      database,
      keyring,
      node: async (options = {}) => {
        const store = database.open()
        stores.push(store)
        const keys = new SigningKeys({ db: store.db, clock: { now: () => Date.now() }, keyring, retiredKeyLifetimeMs: LIFETIME_MS, ...options })
        await keys.init()
        return keys
      },
    })
  } finally {
    await Promise.all(stores.map((store) => store.destroy()))
    await database.drop()
  }
}

const kidOf = (token: string) => decodeProtectedHeader(token).kid

test('key rotation without a gap: the new key is in JWKS at once, signs only from its activation, and the old one verifies until its tokens expire', async () => {
  await withKeys(async ({ node }) => {
    const clock = new TestClock()
    const keys = await node({ clock })
    const other = await node({ clock })
    const tokens = new AccessTokens(keys, clock, settings)
    const otherTokens = new AccessTokens(other, clock, settings)
    const before = await tokens.issue({ subject: 'u1', clientId: 'c1', scope: 'account' })
    const oldKid = kidOf(before.token)

    const { kid: newKid, activatesAt } = await keys.rotate()
    assert.notEqual(newKid, oldKid)
    assert.equal(activatesAt, clock.now() + KEY_ACTIVATION_DELAY_MS)
    assert.deepEqual(keys.jwks().keys.map((k) => k.kid).sort(), [oldKid, newKid].sort(), 'published at once on this node')
    await other.reload() // what every other node's poll (or the Redis announcement) does
    assert.deepEqual(other.jwks().keys.map((k) => k.kid).sort(), [oldKid, newKid].sort(), 'and on the others')

    // Until activation every node still signs with the old key.
    clock.advance(KEY_ACTIVATION_DELAY_MS / 1000 - 1)
    assert.equal(kidOf((await tokens.issue({ subject: 'u1', clientId: 'c1', scope: 'account' })).token), oldKid)
    assert.equal(kidOf((await otherTokens.issue({ subject: 'u1', clientId: 'c1', scope: 'account' })).token), oldKid)

    // At activation every node switches, by the time stored with the key, without reloading.
    clock.advance(1)
    const after = await tokens.issue({ subject: 'u1', clientId: 'c1', scope: 'account' })
    assert.equal(kidOf(after.token), newKid)
    assert.equal(kidOf((await otherTokens.issue({ subject: 'u1', clientId: 'c1', scope: 'account' })).token), newKid)
    assert.equal((await otherTokens.verify(after.token)).sub, 'u1')
    assert.equal((await tokens.verify(before.token)).sub, 'u1', 'tokens of the old key still verify')

    // The old key leaves JWKS once every token it signed has expired.
    clock.advance(LIFETIME_MS / 1000 + 1)
    await keys.reload()
    assert.deepEqual(keys.jwks().keys.map((k) => k.kid), [newKid])
  })
})

test('a rotation is published before it signs for longer than a JWKS may be cached, plus a poll', () => {
  assert.ok(KEY_ACTIVATION_DELAY_MS >= JWKS_MAX_AGE_SECONDS * 1000 + KEY_POLL_MS + 30_000)
  assert.ok(KEY_POLL_MS <= 10_000, 'every node publishes a new key within seconds')
})

test('keys rotate --immediately signs with the new key at once (for a compromised key)', async () => {
  await withKeys(async ({ node }) => {
    const clock = new TestClock()
    const keys = await node({ clock })
    const oldKid = keys.signingKey().kid
    const { kid } = await keys.rotate({ immediately: true })
    assert.equal(keys.signingKey().kid, kid)
    assert.ok(keys.jwks().keys.some((k) => k.kid === oldKid))
  })
})

test('a second rotation before the first activates: each key signs from its own time, never before it was published long enough', async () => {
  await withKeys(async ({ node }) => {
    const clock = new TestClock()
    const keys = await node({ clock })
    const original = keys.signingKey().kid
    const first = await keys.rotate()
    clock.advance(60)
    const second = await keys.rotate()
    clock.advance(KEY_ACTIVATION_DELAY_MS / 1000 - 61)
    assert.equal(keys.signingKey().kid, original)
    clock.advance(1)
    assert.equal(keys.signingKey().kid, first.kid)
    clock.advance(60)
    assert.equal(keys.signingKey().kid, second.kid)
    assert.equal(keys.jwks().keys.length, 3)
  })
})

test('another node publishes a rotation by polling, without Redis', async () => {
  await withKeys(async ({ node }) => {
    const keys = await node()
    const other = await node()
    const sync = new SigningKeySync(other, { pollMs: 50, onError: (error) => assert.fail(error) })
    await sync.start()
    try {
      const { kid } = await keys.rotate()
      await waitFor(() => other.jwks().keys.some((k) => k.kid === kid), 5000)
    } finally {
      await sync.stop()
    }
  })
})

test('with Redis, a rotation announced on the channel is in every node\'s JWKS at once', async (t) => {
  const redisUrl = process.env.REDIS_URL
  if (!redisUrl) return t.skip('needs REDIS_URL')
  await withKeys(async ({ node }) => {
    const keys = await node()
    const other = await node()
    // A poll an hour away: only the announcement can bring the key in time.
    const sync = new SigningKeySync(other, { redisUrl, pollMs: 3_600_000, onError: (error) => assert.fail(error) })
    await sync.start()
    try {
      const { kid } = await keys.rotate()
      await announceKeyChange(redisUrl)
      await waitFor(() => other.jwks().keys.some((k) => k.kid === kid), 2000)
    } finally {
      await sync.stop()
    }
  })
})

test('a database dump alone cannot mint tokens: no private key is in it, in any encoding', async () => {
  await withKeys(async ({ store, node }) => {
    const keys = await node()
    await keys.rotate() // a scheduled key too
    const active = keys.signingKey()
    const d = (active.privateKey.export({ format: 'jwk' }) as { d: string }).d
    const rows = await store.db.selectFrom('signing_keys').selectAll().execute()
    assert.equal(rows.length, 2)
    const dBytes = Buffer.from(d, 'base64url')
    for (const row of rows) {
      assert.equal(row.private_jwk, null)
      assert.ok(row.private_key_sealed && row.kek_id)
      for (const [column, value] of Object.entries(row)) {
        if (typeof value !== 'string') continue
        for (const encoded of [d, dBytes.toString('base64'), dBytes.toString('hex'), dBytes.toString('latin1')]) {
          assert.ok(!value.includes(encoded), `${column} holds the private key`)
        }
        assert.ok(!/"d"\s*:/.test(value), `${column} holds a private JWK`)
        assert.equal(privateKeyFrom(value), undefined, `${column} yields a private key`)
        for (const part of value.split('.')) assert.equal(privateKeyFrom(Buffer.from(part, 'base64url')), undefined, `${column} yields a private key`)
      }
    }
  })
})

test('a sealed private key copied into another row does not open there', async () => {
  await withKeys(async ({ store, node, keyring }) => {
    const keys = await node()
    const { kid: scheduled } = await keys.rotate()
    const original = await store.db.selectFrom('signing_keys').selectAll().where('kid', '!=', scheduled).executeTakeFirstOrThrow()
    await store.db.updateTable('signing_keys').set({ private_key_sealed: original.private_key_sealed, kek_id: original.kek_id }).where('kid', '=', scheduled).execute()
    const fresh = new SigningKeys({ db: store.db, clock: { now: () => Date.now() }, keyring, retiredKeyLifetimeMs: LIFETIME_MS })
    await assert.rejects(fresh.init(), (error: Error) => {
      assert.equal(error.name, 'ConfigError')
      assert.match(error.message, new RegExp(`^signing key ${scheduled} does not decrypt under KEK ${keyring.current.id}: the record was altered or belongs to another row$`))
      return true
    })
  })
})

test('a wrong key-encryption key stops start-up with one line naming GATEHOUSE_KEK', async () => {
  await withKeys(async ({ store, node }) => {
    const keys = await node()
    const wrong = newKeyring()
    const other = new SigningKeys({ db: store.db, clock: { now: () => Date.now() }, keyring: wrong, retiredKeyLifetimeMs: LIFETIME_MS })
    await assert.rejects(other.init(), (error: Error) => {
      assert.equal(error.name, 'ConfigError')
      assert.match(error.message, new RegExp(`^signing key ${keys.signingKey().kid} is sealed under KEK \\w{16}, which is not among the configured keys: GATEHOUSE_KEK is key ${wrong.current.id}; .*GATEHOUSE_KEK_PREVIOUS$`))
      assert.doesNotMatch(error.message, /\n/)
      return true
    })
    assert.equal((await store.db.selectFrom('signing_keys').selectAll().execute()).length, 1, 'and makes no key of its own')
  })
})

test('keys rewrap moves every sealed key to the current KEK, reading older ones with the previous keys', async () => {
  await withKeys(async ({ store, node, keyring: oldKeyring }) => {
    const keys = await node()
    await keys.rotate()
    const kids = (await store.db.selectFrom('signing_keys').select('kid').execute()).map((r) => r.kid).sort()
    const rotated = newKeyring([oldKeyring.current])

    // Without the old key among the previous ones nothing is touched, and the message says what to add.
    await assert.rejects(rewrapSigningKeys(store.db, newKeyring()), /is sealed under KEK \w+, which is not among the configured keys; list that key in GATEHOUSE_KEK_PREVIOUS; nothing was rewrapped/)
    assert.ok((await store.db.selectFrom('signing_keys').select('kek_id').execute()).every((r) => r.kek_id === oldKeyring.current.id))

    const result = await rewrapSigningKeys(store.db, rotated)
    assert.deepEqual(result.rewrapped.sort(), kids)
    assert.equal(result.current, 0)
    assert.ok((await store.db.selectFrom('signing_keys').select('kek_id').execute()).every((r) => r.kek_id === rotated.current.id))
    assert.deepEqual(await rewrapSigningKeys(store.db, rotated), { rewrapped: [], current: 2, sealedPlaintext: 0 }, 'running it again is a no-op')

    // Now the new key alone opens them, and the old one no longer does.
    const after = await node({ keyring: { current: rotated.current, previous: [] } })
    assert.equal(after.signingKey().kid, keys.signingKey().kid)
    await assert.rejects(node({ keyring: oldKeyring }), /is sealed under KEK/)
  })
})

test('upgrade: a private key an earlier version stored in plaintext is sealed at start-up and rotated out without a gap', async () => {
  await withKeys(async ({ store, keyring }) => {
    const clock = new TestClock()
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    // What migration 0003 leaves of a key from before it: plaintext in private_jwk, nothing sealed.
    await store.db.insertInto('signing_keys').values({
      kid: 'legacy', alg: 'ES256', public_jwk: JSON.stringify(await exportJWK(publicKey)), private_jwk: JSON.stringify(await exportJWK(privateKey)),
      private_key_sealed: null, kek_id: null, created_at: clock.now() - 1000, activates_at: clock.now() - 1000, retired_at: null, expires_at: null,
    }).execute()
    const keys = new SigningKeys({ db: store.db, clock, keyring, retiredKeyLifetimeMs: LIFETIME_MS })
    const { sealedPlaintextKeys, rotation } = await keys.init()
    assert.equal(sealedPlaintextKeys, 1)
    assert.ok(rotation)
    const legacy = await store.db.selectFrom('signing_keys').selectAll().where('kid', '=', 'legacy').executeTakeFirstOrThrow()
    assert.equal(legacy.private_jwk, null, 'the plaintext is gone')
    assert.equal(legacy.kek_id, keyring.current.id)
    assert.equal(keys.signingKey().kid, 'legacy', 'and the old key signs until its successor activates')
    clock.advance(KEY_ACTIVATION_DELAY_MS / 1000)
    assert.equal(keys.signingKey().kid, rotation.kid)

    // Once it has stopped signing, its private part is deleted altogether.
    clock.advance(10 * 60)
    await keys.reload()
    const retired = await store.db.selectFrom('signing_keys').selectAll().where('kid', '=', 'legacy').executeTakeFirstOrThrow()
    assert.equal(retired.private_key_sealed, null)
    assert.ok(keys.jwks().keys.some((k) => k.kid === 'legacy'), 'while its public key stays published')
  })
})

test('jwt algorithm confusion: a token signed with HS256 or alg none is rejected', async () => {
  await withKeys(async ({ node }) => {
    const keys = await node()
    const tokens = new AccessTokens(keys, { now: () => Date.now() }, settings)
    const { token } = await tokens.issue({ subject: 'u1', clientId: 'c1', scope: 'account' })
    const [, payload] = token.split('.')
    const kid = kidOf(token)
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid })).toString('base64url')}.${payload}.`
    await assert.rejects(tokens.verify(none), { code: 'ERR_INVALID_TOKEN' })
    const { SignJWT } = await import('jose')
    const hs = await new SignJWT(JSON.parse(Buffer.from(payload!, 'base64url').toString()))
      .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid })
      .sign(new TextEncoder().encode('x'.repeat(32)))
    await assert.rejects(tokens.verify(hs), { code: 'ERR_INVALID_TOKEN' })
    await assert.rejects(tokens.verify('not.a.jwt'), { code: 'ERR_INVALID_TOKEN' })
  })
})

test('a key made by another process a moment after this one reloaded is still found for its first token', async () => {
  // Two servers starting together on an empty database may each create a key before seeing the other's.
  await withKeys(async ({ node }) => {
    const keysB = await node()
    await keysB.reload()
    const keysA = await node()
    await keysA.rotate({ immediately: true })
    const { token } = await new AccessTokens(keysA, { now: () => Date.now() }, settings).issue({ subject: 'u1', clientId: 'c1', scope: 'account' })
    assert.equal((await new AccessTokens(keysB, { now: () => Date.now() }, settings).verify(token)).sub, 'u1')
  })
})

/** A private key from `value` read as a JWK, PEM or DER, or undefined when none can be made. */
function privateKeyFrom(value: string | Buffer): unknown {
  const attempts: (() => unknown)[] = typeof value === 'string'
    ? [() => createPrivateKey({ key: JSON.parse(value), format: 'jwk' }), () => createPrivateKey(value)]
    : [() => createPrivateKey({ key: value, format: 'der', type: 'pkcs8' }), () => createPrivateKey({ key: value, format: 'der', type: 'sec1' })]
  for (const attempt of attempts) {
    try {
      return attempt()
    } catch {
      // not a key
    }
  }
  return undefined
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`not within ${timeoutMs} ms`)
    await sleep(20)
  }
}
