import assert from 'node:assert/strict'
import { test } from 'node:test'
import { demoSeedDecision, seedDemoIfEmpty } from '../../src/cli/demo-seed.js'
import { loadConfig } from '../../src/config.js'
import { freePort, startTestApp } from '../support/app.js'
import { createTestDatabase } from '../support/database.js'
import { runCli, startServerProcess } from '../support/processes.js'

test('the demo seed fills an empty database once, with working generated credentials', async () => {
  const t = await startTestApp()
  try {
    const context = { config: t.config, db: t.app.db, clock: t.app.clock, secrets: t.app.secrets }
    const seed = await seedDemoIfEmpty(context)
    assert.ok(seed)
    assert.equal(await seedDemoIfEmpty(context), undefined, 'a database with users is never seeded again')
    assert.notEqual(seed.admin.password, seed.user.password)

    const form = { 'content-type': 'application/x-www-form-urlencoded' }
    const basic = `Basic ${Buffer.from(`${seed.app.clientId}:${seed.app.clientSecret}`).toString('base64')}`
    const token = await t.app.inject({ method: 'POST', url: '/oauth/token', headers: { ...form, authorization: basic }, payload: 'grant_type=client_credentials' })
    assert.equal(token.statusCode, 200)
    const issues = await t.app.inject({ url: '/2.0/repositories/demo/hello-world/issues', headers: { authorization: `Bearer ${token.json().access_token}` } })
    assert.equal(issues.statusCode, 200)
    assert.equal(issues.json().values[0].title, 'Try the API')

    const csrf = await t.app.inject({ url: '/login' })
    const csrfToken = /name="csrf_token" value="([^"]+)"/.exec(csrf.body)![1]
    const cookie = csrf.cookies.map((c) => `${c.name}=${c.value}`).join('; ')
    const signIn = await t.app.inject({
      method: 'POST', url: '/login', headers: { ...form, cookie },
      payload: new URLSearchParams({ username: 'admin', password: seed.admin.password, csrf_token: csrfToken }).toString(),
    })
    assert.equal(signIn.statusCode, 303, 'the printed admin password signs in')
  } finally {
    await t.close()
  }
})

test('the demo is seeded only into the embedded SQLite database on a loopback address; an explicit request elsewhere is ignored with a reason', () => {
  const sqlite = 'sqlite:data/gatehouse.db'
  const postgres = 'postgres://gatehouse@db.internal:5432/gatehouse'
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) {
    assert.deepEqual(demoSeedDecision({ seedDemo: undefined, databaseUrl: sqlite, host }), { seed: true }, host)
    assert.deepEqual(demoSeedDecision({ seedDemo: true, databaseUrl: sqlite, host }), { seed: true }, host)
  }
  assert.deepEqual(demoSeedDecision({ seedDemo: false, databaseUrl: sqlite, host: '127.0.0.1' }), { seed: false })
  for (const [databaseUrl, host, reason] of [
    [postgres, '127.0.0.1', /the database is not the embedded SQLite one/],
    [sqlite, '0.0.0.0', /HOST 0\.0\.0\.0 is not a loopback address/],
    [sqlite, '::', /HOST :: is not a loopback address/],
    [sqlite, '10.0.0.5', /HOST 10\.0\.0\.5 is not a loopback address/],
    [sqlite, 'gatehouse.internal', /is not a loopback address/],
  ] as const) {
    assert.deepEqual(demoSeedDecision({ seedDemo: undefined, databaseUrl, host }), { seed: false }, 'left unset: skipped without a word')
    const explicit = demoSeedDecision({ seedDemo: true, databaseUrl, host })
    assert.equal(explicit.seed, false)
    assert.match(explicit.notice ?? '', /^GATEHOUSE_SEED_DEMO=true ignored: /)
    assert.match(explicit.notice ?? '', reason)
  }
})

test('the playground is on by default exactly where the demo would be seeded; GATEHOUSE_PLAYGROUND=on|off overrides it', () => {
  const cases: Record<string, string>[] = [
    {},
    { HOST: 'localhost' },
    { GATEHOUSE_SEED_DEMO: 'false' },
    { GATEHOUSE_SEED_DEMO: 'true', HOST: '0.0.0.0' },
    { HOST: '0.0.0.0' },
    { DATABASE_URL: 'postgres://gatehouse@127.0.0.1:5432/gatehouse', GATEHOUSE_KEK: Buffer.alloc(32, 1).toString('base64') },
  ]
  for (const env of cases) {
    const config = loadConfig(env)
    assert.equal(config.playground, demoSeedDecision(config).seed, JSON.stringify(env))
  }
  assert.equal(loadConfig({}).playground, true)
  assert.equal(loadConfig({ HOST: '0.0.0.0' }).playground, false)
  assert.equal(loadConfig({ GATEHOUSE_PLAYGROUND: 'off' }).playground, false)
  assert.equal(loadConfig({ GATEHOUSE_SEED_DEMO: 'false', GATEHOUSE_PLAYGROUND: 'on' }).playground, true)
  assert.throws(() => loadConfig({ GATEHOUSE_PLAYGROUND: 'sometimes' }), /GATEHOUSE_PLAYGROUND must be true or false/)
})

test('serve on loopback serves the playground on the embedded database, and says where; on PostgreSQL it is off', async () => {
  const database = await createTestDatabase()
  const port = await freePort()
  const server = await startServerProcess({ ...database.env, PORT: String(port), GATEHOUSE_RATE_LIMIT: '0' })
  try {
    const expected = database.dialect === 'sqlite'
    const line = server.output().split('\n').find((l) => l.startsWith('  playground '))
    assert.equal(line, expected ? `  playground http://127.0.0.1:${port}/playground  (the authorization-code flow, step by step)` : undefined, server.output())
    assert.equal((await fetch(`http://127.0.0.1:${port}/playground`)).status, expected ? 200 : 404)
  } finally {
    await server.stop()
    await database.drop()
  }
})

test('serve beyond loopback with GATEHOUSE_SEED_DEMO=true starts without the demo and says why in one line', async () => {
  const database = await createTestDatabase()
  const server = await startServerProcess({ ...database.env, HOST: '0.0.0.0', PORT: String(await freePort()), GATEHOUSE_SEED_DEMO: 'true', GATEHOUSE_RATE_LIMIT: '0' })
  try {
    const notices = server.output().split('\n').filter((line) => line.includes('GATEHOUSE_SEED_DEMO'))
    assert.equal(notices.length, 1, server.output())
    assert.match(notices[0], /^gatehouse: GATEHOUSE_SEED_DEMO=true ignored: .*(not a loopback address|not the embedded SQLite one)/)
    assert.doesNotMatch(server.output(), /a demo was seeded/)
  } finally {
    await server.stop()
  }
  try {
    const users = await runCli(['user', 'list', '--json'], database.env)
    assert.equal(users.code, 0, users.stderr)
    assert.deepEqual(JSON.parse(users.stdout), [], 'no demo accounts were created')
  } finally {
    await database.drop()
  }
})
