import assert from 'node:assert/strict'
import { test } from 'node:test'
import { exportJWK, generateKeyPair } from 'jose'
import type { Kysely } from 'kysely'
import { SigningKeys } from '../../src/oauth/signing-keys.js'
import { createMigrator, retryingVanishedSchema } from '../../src/store/database.js'
import { generateKekText, parseKek } from '../../src/store/secret-box.js'
import { createTestDatabase } from '../support/database.js'

const BEFORE = '2026_11_23_0002_code_redirect_and_revocation_expiry'

async function plaintextKey(kid: string, createdAt: number) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  return { kid, alg: 'ES256', private_jwk: JSON.stringify(await exportJWK(privateKey)), public_jwk: JSON.stringify(await exportJWK(publicKey)), created_at: createdAt, retired_at: null, expires_at: null }
}

test('migration 0003 keeps the keys of an existing database (sealed at the next start), and going down keeps what the earlier code can read', async () => {
  const database = await createTestDatabase()
  const store = database.open()
  const db = store.db as unknown as Kysely<any>
  try {
    const migrator = await createMigrator(store.db)
    assert.equal((await retryingVanishedSchema(() => migrator.migrateTo(BEFORE))).error, undefined)
    const now = Date.now()
    const old = await plaintextKey('before-upgrade', now - 60_000)
    await db.insertInto('signing_keys').values(old).execute()

    assert.equal((await retryingVanishedSchema(() => migrator.migrateToLatest())).error, undefined)
    const upgraded = await db.selectFrom('signing_keys').selectAll().executeTakeFirstOrThrow()
    assert.equal(upgraded.private_jwk, old.private_jwk, 'the plaintext waits for a KEK, which only start-up has')
    assert.equal(upgraded.private_key_sealed, null)
    assert.equal(Number(upgraded.activates_at), old.created_at, 'it has been signing since it was made')

    // The next start seals it and schedules its successor.
    const keys = new SigningKeys({ db: store.db, clock: { now: () => Date.now() }, keyring: { current: parseKek(generateKekText())!, previous: [] }, retiredKeyLifetimeMs: 3_900_000 })
    await keys.init()
    assert.equal(keys.signingKey().kid, 'before-upgrade')
    const rows = await db.selectFrom('signing_keys').selectAll().execute()
    assert.equal(rows.length, 2)
    assert.ok(rows.every((row) => row.private_jwk === null && row.private_key_sealed !== null))

    // Down: a key still in plaintext goes back as it was; sealed ones cannot be read without the KEK, so they go.
    await db.insertInto('signing_keys').values({ ...(await plaintextKey('still-plain', now)), activates_at: now, private_key_sealed: null, kek_id: null }).execute()
    assert.equal((await retryingVanishedSchema(() => migrator.migrateTo(BEFORE))).error, undefined)
    const down = await db.selectFrom('signing_keys').selectAll().execute()
    assert.deepEqual(down.map((row) => row.kid), ['still-plain'])
    assert.deepEqual(Object.keys(down[0]!).sort(), ['alg', 'created_at', 'expires_at', 'kid', 'private_jwk', 'public_jwk', 'retired_at'])
    await assert.rejects(db.insertInto('signing_keys').values({ ...old, kid: 'no-private', private_jwk: null }).execute(), 'private_jwk is NOT NULL again')

    assert.equal((await retryingVanishedSchema(() => migrator.migrateToLatest())).error, undefined, 'and up again')
  } finally {
    await store.destroy()
    await database.drop()
  }
})
