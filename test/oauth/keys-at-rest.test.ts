import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose'
import { buildServer } from '../../src/server.js'
import { testConfig } from '../../src/config.js'
import { migrateToLatest } from '../../src/store/database.js'
import { generateKekText, parseKek } from '../../src/store/secret-box.js'
import { startTestApp } from '../support/app.js'
import { createTestDatabase } from '../support/database.js'
import { addClient, addUser, asClient } from './fixtures.js'

// "A database dump alone must not be enough to mint tokens."

test('a database dump alone cannot mint tokens: every token forged from what the dump holds is refused by the server', async () => {
  const t = await startTestApp()
  try {
    const client = await addClient(t.app, { ownerId: await addUser(t.app), grantTypes: ['client_credentials'] })
    const issued = await asClient(t.app, client, '/oauth/token', { grant_type: 'client_credentials', scope: 'account' })
    assert.equal(issued.statusCode, 200)
    const real = issued.json().access_token as string
    const gate = (token: string) => t.app.inject({ method: 'GET', url: '/2.0/user', headers: { authorization: `Bearer ${token}` } })
    assert.equal((await gate(real)).statusCode, 200, 'the real token works')

    const dump = await t.app.db.selectFrom('signing_keys').selectAll().execute()
    const { kid } = decodeProtectedHeader(real)
    const claims = JSON.parse(Buffer.from(real.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>
    const header = { alg: 'ES256', typ: 'at+jwt', kid }

    const attacker = await generateKeyPair('ES256')
    const forgeries: string[] = [
      // A key of the attacker's own under the real kid, with and without its public part in the header.
      await new SignJWT(claims).setProtectedHeader(header).sign(attacker.privateKey),
      await new SignJWT(claims).setProtectedHeader({ ...header, jwk: await exportJWK(attacker.publicKey) }).sign(attacker.privateKey),
      // "alg: none", and HMAC keyed by anything the dump holds (the public key, the sealed private key, the KEK id).
      `${Buffer.from(JSON.stringify({ ...header, alg: 'none' })).toString('base64url')}.${real.split('.')[1]}.`,
    ]
    for (const row of dump) {
      for (const value of [row.public_jwk, row.private_key_sealed, row.kek_id, row.kid]) {
        if (value) forgeries.push(await new SignJWT(claims).setProtectedHeader({ ...header, alg: 'HS256' }).sign(Buffer.from(value)))
      }
    }
    for (const forged of forgeries) {
      const response = await gate(forged)
      assert.equal(response.statusCode, 401, `forged token accepted: ${forged.slice(0, 40)}…`)
      const introspection = await asClient(t.app, client, '/oauth/introspect', { token: forged })
      assert.equal(introspection.json().active, false)
    }
  } finally {
    await t.close()
  }
})

test('a server started on a copy of the database without its key-encryption key cannot sign: start-up stops', async () => {
  const original = await startTestApp()
  const copy = await createTestDatabase()
  const store = copy.open()
  try {
    // Restore the dump of signing_keys into another database, as someone holding only a backup would.
    await migrateToLatest(store.db)
    const rows = await original.app.db.selectFrom('signing_keys').selectAll().execute()
    await store.db.insertInto('signing_keys').values(rows).execute()
    await assert.rejects(
      buildServer(testConfig({ databaseUrl: copy.url, kek: parseKek(generateKekText()), seedDemo: false })),
      (error: Error) => error.name === 'ConfigError' && /is sealed under KEK \w+, which is not among the configured keys/.test(error.message),
    )
    assert.deepEqual((await store.db.selectFrom('signing_keys').select('kid').execute()).map((r) => r.kid), rows.map((r) => r.kid), 'and it made no key of its own')
  } finally {
    await store.destroy()
    await copy.drop()
    await original.close()
  }
})
