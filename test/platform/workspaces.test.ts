import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createWorkspace } from '../../src/platform/index.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { acme, makeCaller, type Caller } from './fixtures.js'

let t: TestApp
let ada: Caller
let grace: Caller
let eve: Caller

before(async () => {
  t = await startTestApp()
  ;({ ada, grace, eve } = await acme(t.app))
})
after(() => t.close())

test('GET /2.0/user returns the user the token acts for', async () => {
  const response = await t.app.inject({ url: '/2.0/user', headers: await grace.auth('account') })
  assert.equal(response.statusCode, 200)
  const body = response.json()
  assert.equal(body.type, 'user')
  assert.equal(body.uuid, grace.id)
  assert.equal(body.username, 'grace')
  assert.equal(body.display_name, 'grace')
  assert.match(body.created_on, /^\d{4}-\d\d-\d\dT/)
  assert.equal(body.password_hash, undefined)
})

test("GET /2.0/workspaces lists only the caller's workspaces", async () => {
  const response = await t.app.inject({ url: '/2.0/workspaces', headers: await ada.auth('workspace') })
  assert.equal(response.statusCode, 200)
  const body = response.json()
  assert.deepEqual(body.values.map((w: { slug: string }) => w.slug), ['acme'])
  assert.equal(body.size, 1)
  assert.equal(body.page, 1)
  assert.equal(body.pagelen, 10)
  assert.equal(body.next, undefined)
})

test('lists are paged with page and pagelen, and next links to the following page', async () => {
  const many = await makeCaller(t.app, 'many')
  for (const slug of ['w1', 'w2', 'w3', 'w4', 'w5']) {
    await createWorkspace(t.app.db, t.app.clock, { slug, members: [{ userId: many.id, role: 'member' }] })
  }
  const headers = await many.auth('workspace')
  const first = (await t.app.inject({ url: '/2.0/workspaces?pagelen=2', headers })).json()
  assert.deepEqual(first.values.map((w: { slug: string }) => w.slug), ['w1', 'w2'])
  assert.equal(first.size, 5)
  assert.equal(first.next, `${t.config.issuer}/2.0/workspaces?page=2&pagelen=2`)
  const last = (await t.app.inject({ url: '/2.0/workspaces?page=3&pagelen=2', headers })).json()
  assert.deepEqual(last.values.map((w: { slug: string }) => w.slug), ['w5'])
  assert.equal(last.next, undefined)
  const beyond = (await t.app.inject({ url: '/2.0/workspaces?page=9&pagelen=2', headers })).json()
  assert.deepEqual(beyond.values, [])
})

test('a bad page or pagelen is a 400 naming the parameter', async () => {
  const headers = await ada.auth('workspace')
  for (const query of ['page=0', 'page=abc', 'pagelen=0', 'pagelen=101', 'page=1.5']) {
    const response = await t.app.inject({ url: `/2.0/workspaces?${query}`, headers })
    assert.equal(response.statusCode, 400, query)
    assert.equal(response.json().error.code, 'ERR_BAD_REQUEST')
    assert.match(response.json().error.message, new RegExp(query.split('=')[0]))
  }
})

test('a workspace and its members are visible to its members', async () => {
  const headers = await grace.auth('workspace')
  const workspace = await t.app.inject({ url: '/2.0/workspaces/acme', headers })
  assert.equal(workspace.statusCode, 200)
  assert.equal(workspace.json().name, 'Acme')
  const members = await t.app.inject({ url: '/2.0/workspaces/acme/members', headers })
  assert.equal(members.statusCode, 200)
  assert.deepEqual(
    members.json().values.map((m: { user: { username: string }; role: string; workspace: { slug: string } }) => [m.user.username, m.role, m.workspace.slug]),
    [['ada', 'owner', 'acme'], ['grace', 'member', 'acme']],
  )
})

test("a workspace the caller is not a member of answers 404, like one that does not exist", async () => {
  const headers = await eve.auth('workspace')
  for (const url of ['/2.0/workspaces/acme', '/2.0/workspaces/acme/members', '/2.0/workspaces/nope']) {
    const response = await t.app.inject({ url, headers })
    assert.equal(response.statusCode, 404, url)
    assert.equal(response.json().error.code, 'ERR_NOT_FOUND')
  }
  const hidden = await t.app.inject({ url: '/2.0/workspaces/acme', headers })
  const missing = await t.app.inject({ url: '/2.0/workspaces/nope', headers })
  assert.equal(hidden.json().error.message.replace('acme', 'X'), missing.json().error.message.replace('nope', 'X'))
})

test('createWorkspace refuses a taken slug, a bad slug and unknown members', async () => {
  await assert.rejects(createWorkspace(t.app.db, t.app.clock, { slug: 'acme', members: [] }), { code: 'ERR_CONFLICT' })
  await assert.rejects(createWorkspace(t.app.db, t.app.clock, { slug: 'Not A Slug', members: [] }), { code: 'ERR_BAD_REQUEST' })
  await assert.rejects(createWorkspace(t.app.db, t.app.clock, { slug: 'ghosts', members: [{ userId: 'no-such-user', role: 'owner' }] }), { code: 'ERR_BAD_REQUEST' })
})
