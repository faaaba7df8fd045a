import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { decodeProtectedHeader } from 'jose'
import { generateKekText, parseKek } from '../../src/store/secret-box.js'
import { freePort } from '../support/app.js'
import { createTestDatabase, usingPostgres } from '../support/database.js'
import { runCli, startServerProcess } from '../support/processes.js'

const quiet = { GATEHOUSE_SEED_DEMO: 'false', GATEHOUSE_RATE_LIMIT: '0' }

test('the embedded default: the first start makes a key-encryption key next to the database (mode 0600), says so in one line, and reuses it after', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-kek-'))
  const env = { ...quiet, DATABASE_URL: `sqlite:${join(dir, 'gatehouse.db')}` }
  try {
    const first = await startServerProcess({ ...env, PORT: String(await freePort()) })
    await first.stop()
    const file = join(dir, 'gatehouse.kek')
    assert.equal(statSync(file).mode & 0o777, 0o600)
    assert.ok(parseKek(readFileSync(file, 'utf8')), 'it holds a 32-byte key')
    const announced = first.output().split('\n').filter((line) => line.includes(file))
    assert.deepEqual(announced, [`Generated the key-encryption key ${file} (mode 0600): the signing keys are sealed under it; back it up, apart from the database`])

    const before = readFileSync(file, 'utf8')
    const second = await startServerProcess({ ...env, PORT: String(await freePort()) })
    await second.stop()
    assert.equal(readFileSync(file, 'utf8'), before)
    assert.doesNotMatch(second.output(), /Generated the key-encryption key/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('PostgreSQL without a key-encryption key stops start-up with one line naming GATEHOUSE_KEK', async () => {
  // Checked before connecting, so no server needs to be there.
  const result = await runCli(['serve'], { ...quiet, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' })
  assert.equal(result.code, 1)
  assert.equal(result.stdout, '')
  assert.match(result.stderr, /^gatehouse: GATEHOUSE_KEK \(or GATEHOUSE_KEK_FILE\) is required with PostgreSQL: [^\n]+\n$/)
})

test('a bad GATEHOUSE_KEK, GATEHOUSE_KEK_FILE or GATEHOUSE_SECRET_PREFIX stops start-up with one line naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-kek-'))
  const env = { ...quiet, DATABASE_URL: `sqlite:${join(dir, 'gatehouse.db')}` }
  try {
    for (const [extra, variable] of [
      [{ GATEHOUSE_KEK: 'too-short' }, 'GATEHOUSE_KEK'],
      [{ GATEHOUSE_KEK_FILE: join(dir, 'missing.kek') }, 'GATEHOUSE_KEK_FILE'],
      [{ GATEHOUSE_KEK_PREVIOUS: `${generateKekText()},nope` }, 'GATEHOUSE_KEK_PREVIOUS'],
      [{ GATEHOUSE_SECRET_PREFIX: 'ghp' }, 'GATEHOUSE_SECRET_PREFIX'],
      [{ GATEHOUSE_SECRET_PREFIX: 'Acme!' }, 'GATEHOUSE_SECRET_PREFIX'],
    ] as const) {
      const result = await runCli(['serve'], { ...env, ...extra })
      assert.equal(result.code, 1, result.stderr)
      assert.match(result.stderr, new RegExp(`^gatehouse: ${variable}[ :][^\\n]+\\n$`))
      assert.ok(!result.stderr.includes('too-short'), 'a key is never echoed')
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a wrong key-encryption key stops start-up with one line, not a stack trace', async () => {
  const database = await createTestDatabase()
  try {
    const rotated = await runCli(['keys', 'rotate', '--json'], database.env)
    assert.equal(rotated.code, 0, rotated.stderr)
    const result = await runCli(['serve'], { ...database.env, ...quiet, PORT: String(await freePort()), GATEHOUSE_KEK: generateKekText() })
    assert.equal(result.code, 1)
    assert.match(result.stderr, /^gatehouse: signing key \S+ is sealed under KEK [0-9a-f]{16}, which is not among the configured keys: GATEHOUSE_KEK is key [0-9a-f]{16}; [^\n]+\n$/)
  } finally {
    await database.drop()
  }
})

test('keys rewrap moves every signing key to a new GATEHOUSE_KEK, reading the old one from GATEHOUSE_KEK_PREVIOUS(_FILE)', async () => {
  const database = await createTestDatabase()
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-kek-'))
  try {
    assert.equal((await runCli(['keys', 'rotate'], database.env)).code, 0)
    // The key the records are under now: on PostgreSQL the configured one, on SQLite the generated file.
    const oldFile = join(dir, 'old.kek')
    writeFileSync(oldFile, database.env.GATEHOUSE_KEK ?? readFileSync(database.url.slice('sqlite:'.length).replace(/\.db$/, '.kek'), 'utf8'))
    const newKek = generateKekText()
    const newId = parseKek(newKek)!.id

    const missing = await runCli(['keys', 'rewrap', '--json'], { ...database.env, GATEHOUSE_KEK: newKek })
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /^gatehouse: signing key \S+ is sealed under KEK [0-9a-f]{16}, which is not among the configured keys; list that key in GATEHOUSE_KEK_PREVIOUS; nothing was rewrapped\n$/)

    // The old key from a file (as when leaving the generated one), then inline: the second run has nothing left to do.
    const previousSettings: [Record<string, string>, number][] = [[{ GATEHOUSE_KEK_PREVIOUS_FILE: oldFile }, 2], [{ GATEHOUSE_KEK_PREVIOUS: readFileSync(oldFile, 'utf8').trim() }, 0]]
    for (const [previous, moved] of previousSettings) {
      const rewrap = await runCli(['keys', 'rewrap', '--json'], { ...database.env, GATEHOUSE_KEK: newKek, ...previous })
      assert.equal(rewrap.code, 0, rewrap.stderr)
      assert.equal(JSON.parse(rewrap.stdout).kek_id, newId)
      assert.equal(JSON.parse(rewrap.stdout).rewrapped.length, moved)
    }
    const listed = JSON.parse((await runCli(['keys', 'list', '--json'], database.env)).stdout) as { kek_id: string; status: string }[]
    assert.equal(listed.length, 2)
    assert.ok(listed.every((key) => key.kek_id === newId))
    assert.deepEqual(listed.map((key) => key.status).sort(), ['scheduled', 'signing'])

    // The new key alone now suffices; the old one alone no longer does.
    assert.equal((await runCli(['keys', 'rotate'], { ...database.env, GATEHOUSE_KEK: newKek })).code, 0)
    assert.equal((await runCli(['keys', 'rotate'], { ...database.env, GATEHOUSE_KEK: readFileSync(oldFile, 'utf8').trim() })).code, 1)
  } finally {
    rmSync(dir, { recursive: true, force: true })
    await database.drop()
  }
})

test('keys rotate: a running server publishes the new key within seconds and keeps signing with the old one', async () => {
  const database = await createTestDatabase()
  const port = await freePort()
  const env = { ...database.env, ...quiet, GATEHOUSE_ISSUER: 'http://gatehouse.test', ...(usingPostgres() && process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}) }
  await runCli(['user', 'add', 'owner', '--password-stdin'], env, 'correct horse battery')
  const created = JSON.parse((await runCli(['app', 'create', '--name', 'Service', '--grant', 'client_credentials', '--scope', 'account', '--owner', 'owner', '--json'], env)).stdout)
  const server = await startServerProcess({ ...env, PORT: String(port) })
  try {
    const base = `http://127.0.0.1:${port}`
    const jwksKids = async () => ((await (await fetch(`${base}/oauth/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid)
    const [oldKid] = await jwksKids()
    const rotated = await runCli(['keys', 'rotate', '--json'], env)
    assert.equal(rotated.code, 0, rotated.stderr)
    const { kid, activates_at } = JSON.parse(rotated.stdout) as { kid: string; activates_at: string }
    assert.ok(Date.parse(activates_at) > Date.now() + 5 * 60_000, 'it signs only after JWKS caches have expired')

    const deadline = Date.now() + 10_000
    while (!(await jwksKids()).includes(kid)) {
      assert.ok(Date.now() < deadline, 'the new key was not published within 10 s')
      await sleep(200)
    }
    assert.deepEqual((await jwksKids()).sort(), [oldKid, kid].sort())
    const token = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${created.client_id}:${created.client_secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    })
    assert.equal(token.status, 200)
    assert.equal(decodeProtectedHeader(((await token.json()) as { access_token: string }).access_token).kid, oldKid)
  } finally {
    await server.stop()
    await database.drop()
  }
})
