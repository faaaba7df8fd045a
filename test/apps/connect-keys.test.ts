import assert from 'node:assert/strict'
import { createHash, createPrivateKey } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { createLocalJWKSet, decodeProtectedHeader, importSPKI, jwtVerify, type JSONWebKeySet } from 'jose'
import type { FastifyInstance } from 'fastify'
import { CALLBACK_TOKEN_SECONDS, CONNECT_KEY_GRACE_MS, ConnectKeys } from '../../src/apps/connect-keys.js'
import { testConfig } from '../../src/config.js'
import { buildServer } from '../../src/server.js'
import { migrateToLatest } from '../../src/store/database.js'
import { generateKekText, open, parseKek } from '../../src/store/secret-box.js'
import { startTestApp } from '../support/app.js'
import { createTestDatabase } from '../support/database.js'
import { runCli } from '../support/processes.js'
import { TestClock } from '../oauth/fixtures.js'

const APP_BASE_URL = 'https://vendor.example/apps/tracker'
const CALLBACK = { audience: APP_BASE_URL, method: 'POST', url: `${APP_BASE_URL}/lifecycle/installed?b=2&a=1%20x&jwt=ignored` }
// Written out by hand from the reference definition (METHOD&path relative to baseUrl&sorted, encoded
// query without jwt), so the test does not trust the code it checks.
const CALLBACK_QSH = createHash('sha256').update('POST&/lifecycle/installed&a=1%20x&b=2').digest('hex')

async function pemOf(app: FastifyInstance, kid: string): Promise<string> {
  const response = await app.inject({ method: 'GET', url: `/connect/keys/${kid}` })
  assert.equal(response.statusCode, 200, response.body)
  return response.body
}

async function jwksOf(app: FastifyInstance): Promise<JSONWebKeySet> {
  const response = await app.inject({ method: 'GET', url: '/connect/jwks.json' })
  assert.equal(response.statusCode, 200, response.body)
  return response.json() as JSONWebKeySet
}

test('a callback token verifies with a standard JWT library, by the PEM at /connect/keys/<kid> and by the JWKS, with iss, aud, exp and qsh as specified', async () => {
  const t = await startTestApp()
  try {
    const token = await t.app.connectKeys.signCallback(CALLBACK)
    const header = decodeProtectedHeader(token)
    assert.deepEqual({ alg: header.alg, typ: header.typ }, { alg: 'RS256', typ: 'JWT' })
    const kid = header.kid!

    const response = await t.app.inject({ method: 'GET', url: `/connect/keys/${kid}` })
    assert.equal(response.statusCode, 200)
    assert.match(response.headers['content-type'] as string, /^text\/plain/)
    assert.match(response.headers['cache-control'] as string, /^public, max-age=\d{5,}/)
    assert.match(response.body, /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n?$/)
    const publicKey = await importSPKI(response.body, 'RS256')
    assert.equal(publicKey.algorithm.name, 'RSASSA-PKCS1-v1_5')
    assert.equal((publicKey.algorithm as RsaHashedKeyAlgorithm).modulusLength, 2048)

    const expected = { issuer: t.config.issuer, audience: APP_BASE_URL, algorithms: ['RS256'], typ: 'JWT' }
    const byPem = await jwtVerify(token, publicKey, expected)
    const jwks = await jwksOf(t.app)
    assert.deepEqual(jwks.keys.map((key) => ({ kid: key.kid, alg: key.alg, use: key.use, kty: key.kty })), [{ kid, alg: 'RS256', use: 'sig', kty: 'RSA' }])
    assert.ok(jwks.keys.every((key) => key.d === undefined && key.p === undefined), 'no private part in the JWKS')
    const byJwks = await jwtVerify(token, createLocalJWKSet(jwks), expected)
    for (const { payload } of [byPem, byJwks]) {
      assert.equal(payload.iss, t.config.issuer)
      assert.deepEqual(payload.aud, [APP_BASE_URL])
      assert.equal(payload.exp! - payload.iat!, CALLBACK_TOKEN_SECONDS)
      assert.ok(Math.abs(payload.iat! - Date.now() / 1000) < 5)
      assert.equal(payload.qsh, CALLBACK_QSH)
    }

    // The same token for another app, or once expired, is refused by the same library.
    await assert.rejects(jwtVerify(token, publicKey, { ...expected, audience: 'https://other.example' }), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' })
    await assert.rejects(jwtVerify(token, publicKey, { ...expected, currentDate: new Date((byPem.payload.exp! + 1) * 1000) }), { code: 'ERR_JWT_EXPIRED' })
    // A tampered request hashes differently.
    const other = createHash('sha256').update('POST&/lifecycle/uninstalled&a=1%20x&b=2').digest('hex')
    assert.notEqual(byPem.payload.qsh, other)
  } finally {
    await t.close()
  }
})

test('an unknown kid answers 404 with a JSON message, never cached; a malformed one 400', async () => {
  const t = await startTestApp()
  try {
    const unknown = await t.app.inject({ method: 'GET', url: '/connect/keys/0b9c1f2e-7d64-4c55-9a3e-5f1d2c3b4a69' })
    assert.equal(unknown.statusCode, 404)
    assert.match(unknown.headers['content-type'] as string, /^application\/json/)
    assert.equal(unknown.headers['cache-control'], 'no-store')
    assert.equal(unknown.json().error.code, 'ERR_NOT_FOUND')
    assert.match(unknown.json().error.message, /^No connect key has the kid "0b9c1f2e-7d64-4c55-9a3e-5f1d2c3b4a69".+\/connect\/jwks\.json$/)

    const malformed = await t.app.inject({ method: 'GET', url: `/connect/keys/${encodeURIComponent('../oauth/jwks.json')}` })
    assert.equal(malformed.statusCode, 400)
    assert.match(malformed.json().error.message, /kid/)
  } finally {
    await t.close()
  }
})

test('the private key is sealed: a dump of connect_keys holds no private key material in any encoding, and the ciphertext opens only in its own row', async () => {
  const t = await startTestApp()
  try {
    await t.app.connectKeys.signCallback(CALLBACK)
    await t.app.connectKeys.rotate()
    const rows = await t.app.db.selectFrom('connect_keys').selectAll().execute()
    assert.equal(rows.length, 2)
    const dump = JSON.stringify(rows)
    const sealed = rows.filter((row) => row.private_key_sealed !== null)
    assert.equal(sealed.length, 1, 'only the key that signs keeps a private part')

    const { keyring } = t.app.keyEncryption
    const row = sealed[0]!
    const jwk = JSON.parse(open(keyring, { kekId: row.kek_id!, sealed: row.private_key_sealed! }, `connect_keys:${row.kid}`)) as Record<string, string>
    const der = createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs8', format: 'der' })
    const secrets = [...['d', 'p', 'q', 'dp', 'dq', 'qi'].map((name) => Buffer.from(jwk[name]!, 'base64url')), der]
    for (const secret of secrets) {
      for (const encoded of [secret.toString('base64url'), secret.toString('base64'), secret.toString('hex'), secret.toString('hex').toUpperCase()]) {
        assert.ok(!dump.includes(encoded.slice(8, 40)), `the dump holds private key material (${encoded.slice(0, 12)}…)`)
      }
    }
    assert.doesNotMatch(dump, /PRIVATE KEY|"d":/)

    const elsewhere = rows.find((other) => other.kid !== row.kid)!
    assert.throws(() => open(keyring, { kekId: row.kek_id!, sealed: row.private_key_sealed! }, `connect_keys:${elsewhere.kid}`), /does not decrypt/)
    assert.throws(() => open(keyring, { kekId: row.kek_id!, sealed: row.private_key_sealed! }, `signing_keys:${row.kid}`), /does not decrypt/)
  } finally {
    await t.close()
  }
})

test('rotation signs with the new key at once and keeps the old one published for the grace period, then withdraws it', async () => {
  const clock = new TestClock(Date.now())
  const t = await startTestApp({}, { clock })
  try {
    const before = await t.app.connectKeys.signCallback(CALLBACK)
    const oldKid = decodeProtectedHeader(before).kid!
    clock.advance(60)
    const { kid: newKid, retired } = await t.app.connectKeys.rotate()
    assert.deepEqual(retired, [{ kid: oldKid, expiresAt: clock.now() + CONNECT_KEY_GRACE_MS }])
    const after = await t.app.connectKeys.signCallback(CALLBACK)
    assert.equal(decodeProtectedHeader(after).kid, newKid)
    assert.equal((await t.app.connectKeys.current()).kid, newKid)

    const expected = { issuer: t.config.issuer, audience: APP_BASE_URL, currentDate: new Date(clock.now()) }
    assert.deepEqual((await jwksOf(t.app)).keys.map((key) => key.kid), [newKid, oldKid])
    assert.equal((await jwtVerify(before, await importSPKI(await pemOf(t.app, oldKid), 'RS256'), expected)).payload.qsh, CALLBACK_QSH, 'a callback signed before the rotation still verifies')
    assert.equal((await jwtVerify(after, createLocalJWKSet(await jwksOf(t.app)), expected)).payload.qsh, CALLBACK_QSH)

    clock.advance(CONNECT_KEY_GRACE_MS / 1000 - 1)
    assert.equal((await t.app.inject({ method: 'GET', url: `/connect/keys/${oldKid}` })).statusCode, 200)
    clock.advance(2)
    assert.equal((await t.app.inject({ method: 'GET', url: `/connect/keys/${oldKid}` })).statusCode, 404)
    assert.deepEqual((await jwksOf(t.app)).keys.map((key) => key.kid), [newKid])
    assert.equal((await t.app.inject({ method: 'GET', url: `/connect/keys/${newKid}` })).statusCode, 200)
  } finally {
    await t.close()
  }
})

test('a second server on the same database serves and signs with the key another one made or rotated to', async () => {
  const first = await startTestApp()
  const second = await buildServer(testConfig({ databaseUrl: first.database.url, kek: first.database.kek, rateLimitPerMinute: 0, throttle: false, seedDemo: false }))
  try {
    await second.ready()
    const original = (await first.app.connectKeys.current()).kid
    assert.equal((await second.connectKeys.current()).kid, original, 'the second start made no key of its own')

    const { kid: rotated } = await first.app.connectKeys.rotate()
    const token = await first.app.connectKeys.signCallback(CALLBACK)
    // The app may fetch the key from any node: the second one has not seen it yet and looks it up.
    const pem = await pemOf(second, rotated)
    assert.equal((await jwtVerify(token, await importSPKI(pem, 'RS256'), { issuer: first.config.issuer, audience: APP_BASE_URL })).payload.qsh, CALLBACK_QSH)
    assert.equal(decodeProtectedHeader(await second.connectKeys.signCallback(CALLBACK)).kid, rotated, 'and signs with it')
    assert.equal((await second.inject({ method: 'GET', url: `/connect/keys/${original}` })).statusCode, 200, 'the replaced key is still published there too')
  } finally {
    await second.close()
    await first.close()
  }
})

test('processes starting together on an empty database agree on one signing key', async () => {
  const database = await createTestDatabase()
  const stores = [database.open(), database.open(), database.open()]
  try {
    await migrateToLatest(stores[0]!.db)
    const keyring = { current: database.kek ?? parseKek(generateKekText())!, previous: [] }
    const nodes = stores.map((store) => new ConnectKeys({ db: store.db, clock: { now: () => Date.now() }, keyring, issuer: 'http://gatehouse.test' }))
    await Promise.all(nodes.map((node) => node.start()))
    const rows = await stores[0]!.db.selectFrom('connect_keys').select(['kid', 'created_at', 'retired_at', 'private_key_sealed']).orderBy('created_at', 'desc').orderBy('kid', 'desc').execute()
    const newest = rows[0]!
    assert.equal(newest.retired_at, null, 'the newest key is never retired by a process that started before it was made')
    const kids = await Promise.all(nodes.map(async (node) => decodeProtectedHeader(await node.signCallback(CALLBACK)).kid))
    assert.deepEqual(kids, nodes.map(() => newest.kid), 'every process signs with the same key')
    // A key another process made, and may have signed with for a moment, stays published; a retired one without its private part.
    for (const node of nodes) for (const row of rows) assert.equal((await node.publicKey(row.kid))?.kid, row.kid)
    assert.ok(rows.filter((row) => row.retired_at !== null).every((row) => row.private_key_sealed === null))
  } finally {
    await Promise.all(stores.map((store) => store.destroy()))
    await database.drop()
  }
})

test('keys rotate --connect and keys list --connect; rewrap moves connect keys to a new GATEHOUSE_KEK with the signing keys, or changes nothing in either table', async () => {
  const database = await createTestDatabase()
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-kek-'))
  try {
    const first = await runCli(['keys', 'rotate', '--connect', '--json'], database.env)
    assert.equal(first.code, 0, first.stderr)
    const rotation = JSON.parse(first.stdout) as { kid: string; retired: { kid: string; published_until: string }[] }
    assert.equal(rotation.retired.length, 1, 'the key made on the empty database was replaced')
    assert.ok(Math.abs(Date.parse(rotation.retired[0]!.published_until) - (Date.now() + CONNECT_KEY_GRACE_MS)) < 60_000)
    const listed = JSON.parse((await runCli(['keys', 'list', '--connect', '--json'], database.env)).stdout) as { kid: string; status: string; kek_id: string | null }[]
    assert.deepEqual(listed.map((key) => [key.kid, key.status]), [[rotation.kid, 'signing'], [rotation.retired[0]!.kid, 'published']])

    const oldKek = database.env.GATEHOUSE_KEK ?? readFileSync(database.url.slice('sqlite:'.length).replace(/\.db$/, '.kek'), 'utf8').trim()
    const oldFile = join(dir, 'old.kek')
    writeFileSync(oldFile, oldKek)
    const newKek = generateKekText()
    const newId = parseKek(newKek)!.id

    // The signing keys are under the old KEK too; a connect key under a KEK nobody lists blocks both tables.
    assert.equal((await runCli(['keys', 'rotate'], database.env)).code, 0)
    const stray = generateKekText()
    assert.equal((await runCli(['keys', 'rotate', '--connect'], { ...database.env, GATEHOUSE_KEK: stray, GATEHOUSE_KEK_PREVIOUS: oldKek })).code, 0)
    const blocked = await runCli(['keys', 'rewrap', '--json'], { ...database.env, GATEHOUSE_KEK: newKek, GATEHOUSE_KEK_PREVIOUS_FILE: oldFile })
    assert.equal(blocked.code, 1)
    assert.match(blocked.stderr, /^gatehouse: connect key \S+ is sealed under KEK [0-9a-f]{16}, which is not among the configured keys; list that key in GATEHOUSE_KEK_PREVIOUS; nothing was rewrapped/)
    const signingKeks = (JSON.parse((await runCli(['keys', 'list', '--json'], database.env)).stdout) as { kek_id: string }[]).map((key) => key.kek_id)
    assert.deepEqual([...new Set(signingKeks)], [parseKek(oldKek)!.id], 'no signing key was rewrapped either')

    const rewrap = await runCli(['keys', 'rewrap'], { ...database.env, GATEHOUSE_KEK: newKek, GATEHOUSE_KEK_PREVIOUS: `${oldKek},${stray}` })
    assert.equal(rewrap.code, 0, rewrap.stderr)
    assert.match(rewrap.stdout, new RegExp(`^2 signing keys rewrapped under key-encryption key ${newId}; 0 already were\n1 connect key rewrapped under key-encryption key ${newId}; 0 already were\n`))
    const again = JSON.parse((await runCli(['keys', 'rewrap', '--json'], { ...database.env, GATEHOUSE_KEK: newKek })).stdout)
    assert.deepEqual(again.connect_keys, { rewrapped: [], already_current: 1 })
    const connectKeks = (JSON.parse((await runCli(['keys', 'list', '--connect', '--json'], database.env)).stdout) as { status: string; kek_id: string | null }[])
      .filter((key) => key.status === 'signing')
      .map((key) => key.kek_id)
    assert.deepEqual(connectKeks, [newId])

    // The new key alone now suffices; the old one alone no longer does, and says which key is missing.
    assert.equal((await runCli(['keys', 'rotate', '--connect'], { ...database.env, GATEHOUSE_KEK: newKek })).code, 0)
    const withOld = await runCli(['keys', 'rotate', '--connect'], { ...database.env, GATEHOUSE_KEK: oldKek })
    assert.equal(withOld.code, 1)
    assert.match(withOld.stderr, /^gatehouse: connect key \S+ is sealed under KEK [0-9a-f]{16}, which is not among the configured keys: GATEHOUSE_KEK is key [0-9a-f]{16}; [^\n]+\n$/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await database.drop()
  }
})
