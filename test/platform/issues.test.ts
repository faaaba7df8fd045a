import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { createIssue, createRepository } from '../../src/platform/index.js'
import { startTestApp, type TestApp } from '../support/app.js'
import { acme, type Caller } from './fixtures.js'

let t: TestApp
let ada: Caller
let grace: Caller
let eve: Caller
const base = '/2.0/repositories/acme/engine/issues'

// Strictly increasing, so comments made in the same millisecond still list in the order they were made.
let last = 0
const tickingClock = { now: () => (last = Math.max(Date.now(), last + 1)) }

before(async () => {
  t = await startTestApp({}, { clock: tickingClock })
  const fixture = await acme(t.app)
  ;({ ada, grace, eve } = fixture)
  await createRepository(t.app.db, t.app.clock, { workspaceId: fixture.workspace.id, slug: 'engine', name: 'Engine' })
})
after(() => t.close())

async function call(caller: Caller, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) {
  return t.app.inject({ method, url, headers: await caller.auth(), ...(payload ? { payload } : {}) })
}

test('issues are numbered per repository and read back with their reporter', async () => {
  const first = await call(grace, 'POST', base, { title: 'It does not start', content: { raw: 'Steps: turn the key.' } })
  assert.equal(first.statusCode, 201)
  const issue = first.json()
  assert.equal(issue.type, 'issue')
  assert.equal(issue.id, 1)
  assert.equal(issue.state, 'new')
  assert.equal(issue.content.raw, 'Steps: turn the key.')
  assert.equal(issue.reporter.username, 'grace')
  assert.equal(issue.repository.full_name, 'acme/engine')
  const second = await call(ada, 'POST', base, { title: 'Too loud', state: 'open' })
  assert.equal(second.json().id, 2)
  assert.equal(second.json().content.raw, '')

  const read = await call(ada, 'GET', `${base}/1`)
  assert.deepEqual(read.json(), issue)
  const listed = await call(ada, 'GET', `${base}?pagelen=1`)
  assert.deepEqual(listed.json().values.map((i: { id: number }) => i.id), [1])
  assert.equal(listed.json().size, 2)
  assert.match(listed.json().next, /\/2\.0\/repositories\/acme\/engine\/issues\?page=2&pagelen=1$/)
})

test('an issue is updated and commented on', async () => {
  const { id } = (await call(grace, 'POST', base, { title: 'Rattles' })).json()
  const updated = await call(ada, 'PUT', `${base}/${id}`, { state: 'resolved', content: { raw: 'Tightened the bolt.' } })
  assert.equal(updated.statusCode, 200)
  assert.equal(updated.json().state, 'resolved')
  assert.equal(updated.json().title, 'Rattles')
  assert.equal(updated.json().content.raw, 'Tightened the bolt.')

  const comment = await call(grace, 'POST', `${base}/${id}/comments`, { content: { raw: 'Thanks!' } })
  assert.equal(comment.statusCode, 201)
  assert.equal(comment.json().type, 'issue_comment')
  assert.equal(comment.json().user.username, 'grace')
  assert.equal(comment.json().issue.id, id)
  await call(ada, 'POST', `${base}/${id}/comments`, { content: { raw: 'You are welcome.' } })
  const comments = await call(ada, 'GET', `${base}/${id}/comments`)
  assert.deepEqual(comments.json().values.map((c: { content: { raw: string } }) => c.content.raw), ['Thanks!', 'You are welcome.'])
  assert.equal(comments.json().size, 2)
})

test('createIssue (for the CLI and the seed) numbers after the issues already there', async () => {
  const repository = await createRepository(t.app.db, t.app.clock, { workspaceId: (await call(ada, 'GET', '/2.0/workspaces/acme')).json().uuid, slug: 'seeded' })
  const one = await createIssue(t.app.db, t.app.clock, { repositoryId: repository.id, reporterId: ada.id, title: 'First' })
  const two = await createIssue(t.app.db, t.app.clock, { repositoryId: repository.id, reporterId: ada.id, title: 'Second', content: 'Body' })
  assert.deepEqual([one.number, two.number], [1, 2])
  assert.equal((await call(grace, 'GET', '/2.0/repositories/acme/seeded/issues/2')).json().content.raw, 'Body')
})

test('a missing issue is a 404 and a malformed issue id a 400', async () => {
  assert.equal((await call(ada, 'GET', `${base}/999`)).statusCode, 404)
  assert.equal((await call(ada, 'GET', `${base}/999/comments`)).statusCode, 404)
  const malformed = await call(ada, 'GET', `${base}/first`)
  assert.equal(malformed.statusCode, 400)
  assert.match(malformed.json().error.message, /issue_id/)
})

test('issue bodies are validated: a title is needed, states are a fixed set, comments need text', async () => {
  for (const [method, url, payload, message] of [
    ['POST', base, {}, /title/],
    ['POST', base, { title: '' }, /title/],
    ['POST', base, { title: 'x', state: 'wontfix' }, /state/],
    ['PUT', `${base}/1`, {}, /body/],
    ['POST', `${base}/1/comments`, { content: { raw: '' } }, /raw/],
    ['POST', `${base}/1/comments`, { content: 'flat' }, /content/],
  ] as const) {
    const response = await call(ada, method, url, payload)
    assert.equal(response.statusCode, 400, `${method} ${url} ${JSON.stringify(payload)}`)
    assert.match(response.json().error.message, message)
  }
})

test("a non-member cannot read, report, change or comment on a workspace's issues (404)", async () => {
  for (const [method, url, payload] of [
    ['GET', base, undefined],
    ['POST', base, { title: 'Spam' }],
    ['GET', `${base}/1`, undefined],
    ['PUT', `${base}/1`, { state: 'closed' }],
    ['GET', `${base}/1/comments`, undefined],
    ['POST', `${base}/1/comments`, { content: { raw: 'Spam' } }],
  ] as const) {
    assert.equal((await call(eve, method, url, payload)).statusCode, 404, `${method} ${url}`)
  }
})
