import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { startTestApp, type TestApp } from '../support/app.js'
import { acme, type Caller } from './fixtures.js'

let t: TestApp
let ada: Caller
let grace: Caller
let eve: Caller

before(async () => {
  t = await startTestApp()
  ;({ ada, grace, eve } = await acme(t.app))
})
after(() => t.close())

async function call(caller: Caller, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) {
  return t.app.inject({ method, url, headers: await caller.auth(), ...(payload ? { payload } : {}) })
}

test('a member creates, reads, lists, updates and an owner deletes a repository', async () => {
  const created = await call(grace, 'POST', '/2.0/repositories/acme/rocket', { name: 'Rocket', description: 'Goes up' })
  assert.equal(created.statusCode, 201)
  const repository = created.json()
  assert.equal(repository.type, 'repository')
  assert.equal(repository.full_name, 'acme/rocket')
  assert.equal(repository.name, 'Rocket')
  assert.equal(repository.is_private, true)
  assert.equal(repository.workspace.slug, 'acme')

  const read = await call(ada, 'GET', '/2.0/repositories/acme/rocket')
  assert.equal(read.statusCode, 200)
  assert.deepEqual(read.json(), repository)

  const listed = await call(ada, 'GET', '/2.0/repositories/acme')
  assert.deepEqual(listed.json().values.map((r: { slug: string }) => r.slug), ['rocket'])

  const updated = await call(grace, 'PUT', '/2.0/repositories/acme/rocket', { description: 'Goes further up' })
  assert.equal(updated.statusCode, 200)
  assert.equal(updated.json().description, 'Goes further up')
  assert.equal(updated.json().name, 'Rocket')

  const deleted = await call(ada, 'DELETE', '/2.0/repositories/acme/rocket')
  assert.equal(deleted.statusCode, 204)
  assert.equal((await call(ada, 'GET', '/2.0/repositories/acme/rocket')).statusCode, 404)
})

test('creating a repository with an empty body takes the slug as its name', async () => {
  const created = await call(ada, 'POST', '/2.0/repositories/acme/plain', {})
  assert.equal(created.statusCode, 201)
  assert.equal(created.json().name, 'plain')
  assert.equal(created.json().description, '')
})

test('a repository slug that is taken answers 409', async () => {
  await call(ada, 'POST', '/2.0/repositories/acme/twice', {})
  const again = await call(ada, 'POST', '/2.0/repositories/acme/twice', {})
  assert.equal(again.statusCode, 409)
  assert.equal(again.json().error.code, 'ERR_CONFLICT')
})

test('a member who is not an owner cannot delete a repository', async () => {
  await call(ada, 'POST', '/2.0/repositories/acme/keep', {})
  const refused = await call(grace, 'DELETE', '/2.0/repositories/acme/keep')
  assert.equal(refused.statusCode, 403)
  assert.equal(refused.json().error.code, 'ERR_FORBIDDEN')
  assert.equal((await call(ada, 'GET', '/2.0/repositories/acme/keep')).statusCode, 200)
})

test("a non-member gets 404 for every repository operation in someone else's workspace", async () => {
  await call(ada, 'POST', '/2.0/repositories/acme/secret', {})
  for (const [method, url, payload] of [
    ['GET', '/2.0/repositories/acme', undefined],
    ['GET', '/2.0/repositories/acme/secret', undefined],
    ['POST', '/2.0/repositories/acme/intruder', {}],
    ['PUT', '/2.0/repositories/acme/secret', { name: 'Mine now' }],
    ['DELETE', '/2.0/repositories/acme/secret', undefined],
  ] as const) {
    const response = await call(eve, method, url, payload)
    assert.equal(response.statusCode, 404, `${method} ${url}`)
  }
  assert.equal((await call(ada, 'GET', '/2.0/repositories/acme/secret')).json().name, 'secret')
})

test('invalid input is a 400 with a clear message, never a 500', async () => {
  const cases: [string, string, unknown, RegExp][] = [
    ['POST', '/2.0/repositories/acme/Bad%20Slug', {}, /repo_slug/],
    ['POST', '/2.0/repositories/acme/ok-slug', { name: '' }, /name/],
    ['POST', '/2.0/repositories/acme/ok-slug', { is_private: 'perhaps' }, /is_private/],
    ['POST', '/2.0/repositories/acme/ok-slug', 'not json', /JSON|body/i],
    ['PUT', '/2.0/repositories/acme/ok-slug', {}, /body/],
    ['GET', '/2.0/repositories/ACME', undefined, /workspace/],
  ]
  for (const [method, url, payload, message] of cases) {
    const response = await t.app.inject({
      method: method as 'GET',
      url,
      headers: { ...(await ada.auth()), ...(typeof payload === 'string' ? { 'content-type': 'application/json' } : {}) },
      ...(payload === undefined ? {} : { payload: payload as string }),
    })
    assert.equal(response.statusCode, 400, `${method} ${url} ${JSON.stringify(payload)}`)
    assert.match(response.json().error.message, message)
  }
})
