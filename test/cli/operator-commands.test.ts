import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { testConfig } from '../../src/config.js'
import { buildServer } from '../../src/server.js'
import { createTestDatabase, type TestDatabase } from '../support/database.js'
import { runCli } from '../support/processes.js'
import { cookiesFrom, form, hiddenField } from '../web/fixtures.js'

// What a new operator reached for and did not find, or found saying the wrong thing.
let database: TestDatabase

before(async () => {
  database = await createTestDatabase()
})

after(async () => {
  await database?.drop()
})

async function cli(args: string[], stdin?: string) {
  const result = await runCli(args, database.env, stdin)
  return { ...result, json: () => JSON.parse(result.stdout) }
}

async function withServer<T>(run: (server: FastifyInstance) => Promise<T>): Promise<T> {
  const server = await buildServer(testConfig({ databaseUrl: database.url, kek: database.kek, rateLimitPerMinute: 0, throttle: false }))
  try {
    return await run(server)
  } finally {
    await server.close()
  }
}

/** Signs in through the form; the browser's cookies, or undefined when the password is refused. */
async function signIn(server: FastifyInstance, username: string, password: string): Promise<Record<string, string> | undefined> {
  const page = await server.inject({ method: 'GET', url: '/login' })
  const jar = cookiesFrom(page)
  const response = await server.inject({ method: 'POST', url: '/login', cookies: jar, ...form({ username, password, csrf_token: hiddenField(page.body, 'csrf_token') }) })
  return response.statusCode === 303 ? cookiesFrom(response, jar) : undefined
}

test('gatehouse --version prints the version in package.json', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  for (const flag of ['--version', '-V']) {
    const result = await cli([flag])
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout.trim(), version)
  }
})

test('user set-password reads the password from stdin, checks it like a new one, and ends every session of the account', async () => {
  assert.equal((await cli(['user', 'add', 'lin', '--password-stdin'], 'the first password\n')).code, 0)
  const jar = await withServer((server) => signIn(server, 'lin', 'the first password'))
  assert.ok(jar, 'signed in with the first password')

  const short = await cli(['user', 'set-password', 'lin', '--password-stdin'], 'short\n')
  assert.equal(short.code, 1)
  assert.equal(short.stderr.trim(), 'gatehouse: A password needs at least 8 characters')
  const unknown = await cli(['user', 'set-password', 'nobody', '--password-stdin'], 'a long enough password\n')
  assert.equal(unknown.code, 1)
  assert.equal(unknown.stderr.trim(), 'gatehouse: No user named "nobody"')
  const empty = await cli(['user', 'set-password', 'lin', '--password-stdin'], '')
  assert.equal(empty.code, 1)
  assert.match(empty.stderr, /No password on standard input/)
  const withoutStdin = await cli(['user', 'set-password', 'lin'])
  assert.equal(withoutStdin.code, 1)
  assert.match(withoutStdin.stderr, /--password-stdin/)

  const set = await cli(['user', 'set-password', 'lin', '--password-stdin', '--json'], 'the second password\n')
  assert.equal(set.code, 0, set.stderr)
  assert.deepEqual(set.json(), { username: 'lin', ended_sessions: 1 })
  assert.equal(set.stdout.includes('the second password'), false, 'the password is never echoed')

  await withServer(async (server) => {
    const home = await server.inject({ method: 'GET', url: '/', cookies: jar })
    assert.doesNotMatch(home.body, /Signed in as/, 'the session from before the change has ended')
    assert.equal(await signIn(server, 'lin', 'the first password'), undefined)
    assert.ok(await signIn(server, 'lin', 'the second password'))
  })
  const human = await cli(['user', 'set-password', 'lin', '--password-stdin'], 'the third password\n')
  assert.equal(human.stdout.trim(), 'set the password of lin; 1 session(s) ended')
})

test('workspace list shows each workspace with its owners and members, for people and as JSON', async () => {
  assert.equal((await cli(['workspace', 'list'])).stdout.trim(), '(none)')
  for (const username of ['mo', 'ngozi']) assert.equal((await cli(['user', 'add', username])).code, 0)
  assert.equal((await cli(['workspace', 'add', 'zeta', '--owner', 'ngozi', '--member', 'mo'])).code, 0)
  assert.equal((await cli(['workspace', 'add', 'alpha', '--name', 'Alpha team', '--member', 'mo'])).code, 0)
  const json = await cli(['workspace', 'list', '--json'])
  assert.equal(json.code, 0, json.stderr)
  assert.deepEqual(
    json.json().map(({ created_at: _, ...w }: { created_at: string }) => w),
    [
      { slug: 'alpha', name: 'Alpha team', owners: ['mo'], members: [] },
      { slug: 'zeta', name: 'zeta', owners: ['ngozi'], members: ['mo'] },
    ],
  )
  const human = (await cli(['workspace', 'list'])).stdout.trim().split('\n')
  assert.match(human[0], /^slug\s+name\s+owners\s+members$/)
  assert.match(human[1], /^alpha\s+Alpha team\s+mo$/)
  assert.match(human[2], /^zeta\s+zeta\s+ngozi\s+mo$/)
})

test('app create without --scope says the app can ask for nothing, on stderr (the --json output stays one document)', async () => {
  for (const json of [false, true]) {
    const created = await cli(['app', 'create', '--name', `Scopeless ${json}`, '--redirect-uri', 'https://scopeless.example/cb', ...(json ? ['--json'] : [])])
    assert.equal(created.code, 0, created.stderr)
    assert.match(created.stderr, /^gatehouse: note: the app may ask for no scope at all \(no --scope given\)/)
    if (json) assert.deepEqual(created.json().scopes, [])
  }
  const scoped = await cli(['app', 'create', '--name', 'Scoped', '--redirect-uri', 'https://scoped.example/cb', '--scope', 'account'])
  assert.equal(scoped.stderr, '')
})

test('app create refuses client_credentials without an owner (its tokens act as the owner); without one, the default grants leave it out', async () => {
  assert.equal((await cli(['user', 'add', 'owner-of-bots'])).code, 0)
  const refused = await cli(['app', 'create', '--name', 'Ownerless bot', '--grant', 'client_credentials', '--scope', 'account'])
  assert.equal(refused.code, 1)
  assert.equal(refused.stderr.trim(), "gatehouse: Client-credentials tokens act as the app's owner, so an app using client_credentials needs an owner")
  const owned = await cli(['app', 'create', '--name', 'Owned bot', '--grant', 'client_credentials', '--scope', 'account', '--owner', 'owner-of-bots', '--json'])
  assert.equal(owned.code, 0, owned.stderr)
  assert.deepEqual(owned.json().grant_types, ['client_credentials'])
  const defaults = await cli(['app', 'create', '--name', 'Web app', '--redirect-uri', 'https://web.example/cb', '--scope', 'account', '--json'])
  assert.deepEqual(defaults.json().grant_types, ['authorization_code', 'refresh_token'])
  const ownedDefaults = await cli(['app', 'create', '--name', 'Owned web app', '--redirect-uri', 'https://web.example/cb', '--scope', 'account', '--owner', 'owner-of-bots', '--json'])
  assert.deepEqual(ownedDefaults.json().grant_types, ['authorization_code', 'refresh_token', 'client_credentials'])
})

test('registration-token --uses counts uses, not seconds', async () => {
  const bad = await cli(['registration-token', '--uses', 'abc'])
  assert.equal(bad.code, 1)
  assert.equal(bad.stderr.trim(), 'gatehouse: --uses must be a whole number of uses, got "abc"')
  const badLifetime = await cli(['registration-token', '--expires-in', 'soon'])
  assert.equal(badLifetime.stderr.trim(), 'gatehouse: --expires-in must be a whole number of seconds, got "soon"')
  const three = await cli(['registration-token', '--uses', '3', '--json'])
  assert.equal(three.json().uses, 3)
})

test('the new commands have --help and --json', async () => {
  for (const args of [['user', 'set-password'], ['workspace', 'list']]) {
    const help = await cli([...args, '--help'])
    assert.equal(help.code, 0, args.join(' '))
    assert.match(help.stdout, /--json/, args.join(' '))
  }
})
