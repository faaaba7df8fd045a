import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import Fastify, { type FastifyInstance } from 'fastify'
import { startTestApp, type TestApp } from '../support/app.js'

// A tiny upstream API under /api with its own OpenAPI document; it echoes what reached it.
interface Seen {
  method: string
  url: string
  headers: Record<string, string | string[] | undefined>
  body: unknown
}
let seen: Seen[] = []
let upstream: FastifyInstance
let t: TestApp

const upstreamDocument = {
  openapi: '3.1.0',
  info: { title: 'Items', version: '1' },
  components: {
    securitySchemes: {
      oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://example.test/token', scopes: { 'items:read': 'Read items', 'items:write': 'Change items' } } } },
    },
  },
  security: [{ oauth2: ['items:read'] }],
  paths: {
    '/items': { get: { operationId: 'listItems' }, post: { operationId: 'createItem', security: [{ oauth2: ['items:write'] }] } },
    '/items/{id}': { get: { operationId: 'getItem' } },
    '/status': { get: { operationId: 'status', security: [] } },
    '/page': { get: { operationId: 'page', security: [] } },
  },
}

async function startUpstream(): Promise<string> {
  upstream = Fastify()
  upstream.addContentTypeParser('text/plain', { parseAs: 'string' }, (_request, body, done) => done(null, body))
  upstream.register(async (api) => {
    api.get('/openapi.json', async () => upstreamDocument)
    // A hostile or careless upstream: a page with script that tries to take over Gatehouse's cookies and policy.
    api.get('/page', async (_request, reply) =>
      reply
        .header('set-cookie', ['gatehouse_csrf=chosen-by-upstream; Path=/', 'tracker=1; Path=/'])
        .header('clear-site-data', '"cookies"')
        .header('content-security-policy', "script-src 'unsafe-inline'")
        .header('x-content-type-options', 'none')
        .type('text/html')
        .send('<script>fetch("/consent")</script>'),
    )
    api.all('/*', async (request, reply) => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body: request.body })
      return reply.code(request.method === 'POST' ? 201 : 200).header('x-upstream', 'yes').send({ from: 'upstream', url: request.url })
    })
  }, { prefix: '/api' })
  await upstream.listen({ host: '127.0.0.1', port: 0 })
  return `http://127.0.0.1:${(upstream.server.address() as { port: number }).port}/api`
}

before(async () => {
  const upstreamUrl = await startUpstream()
  t = await startTestApp({ upstreamUrl })
})
after(async () => {
  await t?.close()
  await upstream?.close()
})

async function token(scope: string): Promise<string> {
  return (await t.app.accessTokens.issue({ subject: 'user-1', clientId: 'client-1', scope })).token
}

function lastSeen(): Seen {
  const request = seen.at(-1)
  assert.ok(request, 'the upstream was not called')
  return request
}

test("the gateway takes the upstream's scope catalogue and operations from its document", () => {
  assert.deepEqual(t.app.apiDescription.scopes.map((s) => s.name), ['items:read', 'items:write'])
  assert.deepEqual(t.app.apiDescription.operations.map((o) => o.operationId), ['listItems', 'createItem', 'getItem', 'status', 'page'])
})

test('no token: 401 and the upstream is not called', async () => {
  seen = []
  const response = await t.app.inject({ url: '/2.0/items' })
  assert.equal(response.statusCode, 401)
  assert.equal(response.headers['www-authenticate'], 'Bearer realm="gatehouse"')
  assert.equal(seen.length, 0)
})

test('a token without the operation’s scope: 403 and the upstream is not called', async () => {
  seen = []
  const response = await t.app.inject({ method: 'POST', url: '/2.0/items', headers: { authorization: `Bearer ${await token('items:read')}` }, payload: { name: 'x' } })
  assert.equal(response.statusCode, 403)
  assert.match(response.headers['www-authenticate'] as string, /scope="items:write"/)
  assert.equal(seen.length, 0)
})

test('an admitted request is forwarded with the identity headers and without the caller’s credentials', async () => {
  const response = await t.app.inject({
    url: '/2.0/items/42?expand=owner',
    headers: { authorization: `Bearer ${await token('items:read items:write')}`, cookie: 'gatehouse_session=secret' },
  })
  assert.equal(response.statusCode, 200)
  assert.equal(response.headers['x-upstream'], 'yes')
  assert.deepEqual(response.json(), { from: 'upstream', url: '/api/items/42?expand=owner' })
  const { headers, url } = lastSeen()
  assert.equal(url, '/api/items/42?expand=owner')
  assert.equal(headers['x-gatehouse-user-id'], 'user-1')
  assert.equal(headers['x-gatehouse-client-id'], 'client-1')
  assert.equal(headers['x-gatehouse-scopes'], 'items:read items:write')
  assert.equal(headers.authorization, undefined)
  assert.equal(headers.cookie, undefined)
})

test('identity header spoofing: headers the caller sends in our name are replaced, or dropped on public operations', async () => {
  const spoofed = { 'x-gatehouse-user-id': 'admin', 'x-gatehouse-scopes': 'everything', 'x-gatehouse-extra': '1', 'X-Gatehouse-Client-Id': 'trusted' }
  await t.app.inject({ url: '/2.0/items', headers: { ...spoofed, authorization: `Bearer ${await token('items:read')}` } })
  let { headers } = lastSeen()
  assert.equal(headers['x-gatehouse-user-id'], 'user-1')
  assert.equal(headers['x-gatehouse-client-id'], 'client-1')
  assert.equal(headers['x-gatehouse-scopes'], 'items:read')
  assert.equal(headers['x-gatehouse-extra'], undefined)

  const open = await t.app.inject({ url: '/2.0/status', headers: spoofed })
  assert.equal(open.statusCode, 200)
  ;({ headers } = lastSeen())
  for (const name of Object.keys(spoofed)) assert.equal(headers[name.toLowerCase()], undefined, name)
})

test('identity header spoofing via underscores: names CGI-style upstreams read as ours are dropped', async () => {
  const spoofed = {
    x_gatehouse_user_id: 'admin',
    X_Gatehouse_Scopes: 'everything',
    'X-GATEHOUSE_CLIENT_ID': 'trusted',
    'x-gatehouse_extra': '1',
  }
  const underscored = (headers: Seen['headers']) => Object.keys(headers).filter((name) => name.replaceAll('_', '-').startsWith('x-gatehouse-') && name.includes('_'))

  const admitted = await t.app.inject({ url: '/2.0/items', headers: { ...spoofed, authorization: `Bearer ${await token('items:read')}` } })
  assert.equal(admitted.statusCode, 200)
  let { headers } = lastSeen()
  assert.deepEqual(underscored(headers), [])
  assert.equal(headers['x-gatehouse-user-id'], 'user-1')
  assert.equal(headers['x-gatehouse-client-id'], 'client-1')
  assert.equal(headers['x-gatehouse-scopes'], 'items:read')

  const open = await t.app.inject({ url: '/2.0/status', headers: spoofed })
  assert.equal(open.statusCode, 200)
  ;({ headers } = lastSeen())
  assert.deepEqual(Object.keys(headers).filter((name) => name.replaceAll('_', '-').startsWith('x-gatehouse-')), [])
})

test('upstream cookie injection: a proxied response cannot set or clear cookies on our origin', async () => {
  const response = await t.app.inject({ url: '/2.0/page' })
  assert.equal(response.statusCode, 200)
  assert.match(response.body, /<script>/)
  assert.equal(response.headers['set-cookie'], undefined)
  assert.equal(response.headers['clear-site-data'], undefined)
  assert.deepEqual(response.cookies, [])
})

test('upstream script on our origin: proxied responses are sandboxed and not sniffed, whatever the upstream sent', async () => {
  const page = await t.app.inject({ url: '/2.0/page' })
  assert.match(page.headers['content-type'] as string, /^text\/html/)
  assert.equal(page.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'; sandbox")
  assert.equal(page.headers['x-content-type-options'], 'nosniff')

  const json = await t.app.inject({ url: '/2.0/items', headers: { authorization: `Bearer ${await token('items:read')}` } })
  assert.equal(json.statusCode, 200)
  assert.equal(json.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'; sandbox")
  assert.equal(json.headers['x-content-type-options'], 'nosniff')
})

test('request bodies reach the upstream as sent, and its status comes back', async () => {
  const authorization = `Bearer ${await token('items:write')}`
  const json = await t.app.inject({ method: 'POST', url: '/2.0/items', headers: { authorization }, payload: { name: 'widget', tags: ['a'] } })
  assert.equal(json.statusCode, 201)
  assert.deepEqual(lastSeen().body, { name: 'widget', tags: ['a'] })
  const text = await t.app.inject({ method: 'POST', url: '/2.0/items', headers: { authorization, 'content-type': 'text/plain' }, payload: 'plain words' })
  assert.equal(text.statusCode, 201)
  assert.equal(lastSeen().body, 'plain words')
})

test('paths and methods the document does not list answer 404 without reaching the upstream', async () => {
  seen = []
  const authorization = `Bearer ${await token('items:read items:write')}`
  for (const [method, url] of [['GET', '/2.0/admin'], ['DELETE', '/2.0/items/1'], ['GET', '/2.0/user'], ['GET', '/2.0/openapi.json']] as const) {
    assert.equal((await t.app.inject({ method, url, headers: { authorization } })).statusCode, 404, `${method} ${url}`)
  }
  assert.equal(seen.length, 0)
})

test('path traversal through the proxy: a ".." segment cannot reach another upstream path', async () => {
  seen = []
  const authorization = `Bearer ${await token('items:read')}`
  const refused = await t.app.inject({ url: '/2.0/items/..%2Fadmin', headers: { authorization } })
  assert.equal(refused.statusCode, 400)
  assert.match(refused.json().error.message, /"\.\."/)
  for (const url of ['/2.0/items/%2E%2E', '/2.0/items/.%2e', '/2.0/items/..%5Cadmin']) {
    // Refused by the gateway (400), or normalised by the URL parser to a path with no route (404).
    const response = await t.app.inject({ url, headers: { authorization } })
    assert.ok([400, 404].includes(response.statusCode), `${url}: ${response.statusCode}`)
  }
  assert.equal(seen.length, 0)
})

test('an unreachable upstream answers 502 with a readable message', async () => {
  await upstream.close()
  const response = await t.app.inject({ url: '/2.0/items', headers: { authorization: `Bearer ${await token('items:read')}` } })
  assert.equal(response.statusCode, 502)
  assert.deepEqual(response.json(), { error: { code: 'ERR_UPSTREAM', message: 'The API is unreachable; try again later' } })
})
