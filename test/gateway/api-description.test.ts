import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { testConfig } from '../../src/config.js'
import { describeApi, loadApiDescription, routePath } from '../../src/gateway/api-description.js'
import { ConfigError } from '../../src/errors.js'
import { freePort } from '../support/app.js'

/** With an upstream configured, the built-in (sample) API's document is never read. */
const notTheBuiltIn = {
  document: () => {
    throw new Error('the built-in document was read although an upstream is configured')
  },
  catalogue: '/nonexistent/built-in-catalogue.yml',
}

function documentWith(paths: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    openapi: '3.1.0',
    components: {
      securitySchemes: {
        oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/t', scopes: { 'items:read': 'Read items', 'items:write': 'Change items' } } } },
        key: { type: 'apiKey', in: 'header', name: 'X-Key' },
      },
    },
    paths,
    ...extra,
  }
}

test('operations take their scopes from security; no security, [] or [{}] is public', () => {
  const api = describeApi(documentWith({
    '/items': {
      get: { operationId: 'listItems', security: [{ oauth2: ['items:read'] }] },
      post: { security: [{ oauth2: ['items:read', 'items:write'] }] },
    },
    '/health': { get: { operationId: 'health' } },
    '/open': { get: { operationId: 'open', security: [] }, put: { operationId: 'anyone', security: [{}] } },
  }))
  assert.deepEqual(api.scopes.map((s) => s.name), ['items:read', 'items:write'])
  assert.deepEqual(api.operations, [
    { method: 'GET', path: '/items', operationId: 'listItems', requiredScopes: ['items:read'] },
    { method: 'POST', path: '/items', operationId: 'POST /items', requiredScopes: ['items:read', 'items:write'] },
    { method: 'GET', path: '/health', operationId: 'health', requiredScopes: null },
    { method: 'GET', path: '/open', operationId: 'open', requiredScopes: null },
    { method: 'PUT', path: '/open', operationId: 'anyone', requiredScopes: null },
  ])
})

test('top-level security applies to operations that do not set their own', () => {
  const api = describeApi(documentWith({ '/items': { get: {}, delete: { security: [] } } }, { security: [{ oauth2: ['items:write'] }] }))
  assert.deepEqual(api.operations.map((o) => o.requiredScopes), [['items:write'], null])
})

test('a document the gate could not enforce as written is refused with a clear reason', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ '/a': { get: { security: [{ oauth2: ['items:read'] }, { oauth2: ['items:write'] }] } } }, /alternative security requirements/],
    [{ '/a': { get: { security: [{ key: [] }] } } }, /"key", which is not a declared oauth2 scheme/],
    [{ '/a': { get: { security: [{ oauth2: ['items:delete'] }] } } }, /scope "items:delete"/],
    [{ '/a': { get: { operationId: 'x' }, put: { operationId: 'x' } } }, /used twice/],
    [{ a: { get: {} } }, /does not start with/],
  ]
  for (const [paths, message] of cases) {
    assert.throws(() => describeApi(documentWith(paths)), (error: unknown) => error instanceof ConfigError && message.test(error.message))
  }
  assert.throws(() => describeApi({ swagger: '2.0' }), /not OpenAPI 3/)
})

test('OpenAPI path templates become Fastify routes under /2.0', () => {
  assert.equal(routePath('/repositories/{workspace}/{repo_slug}'), '/2.0/repositories/:workspace/:repo_slug')
  assert.equal(routePath('/items:batch'), '/2.0/items::batch')
})

test("an upstream's document is read from GATEHOUSE_UPSTREAM_OPENAPI when it names a file", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-openapi-'))
  try {
    const file = join(dir, 'openapi.json')
    writeFileSync(file, JSON.stringify(documentWith({ '/items': { get: { security: [{ oauth2: ['items:read'] }] } } })))
    const api = await loadApiDescription(testConfig({ upstreamUrl: 'http://127.0.0.1:1', upstreamOpenApi: file }), notTheBuiltIn)
    assert.deepEqual(api.operations.map((o) => o.path), ['/items'])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('an upstream document that cannot be loaded stops start-up with a one-line message', async () => {
  const port = await freePort()
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-openapi-'))
  try {
    writeFileSync(join(dir, 'bad.json'), 'openapi: 3.1.0\n')
    for (const [upstreamOpenApi, reason] of [
      [join(dir, 'missing.json'), /no such file/],
      [join(dir, 'bad.json'), /not JSON/],
      [undefined, new RegExp(`http://127\\.0\\.0\\.1:${port}/openapi\\.json: connection refused$`)],
    ] as const) {
      await assert.rejects(loadApiDescription(testConfig({ upstreamUrl: `http://127.0.0.1:${port}`, upstreamOpenApi }), notTheBuiltIn), (error: unknown) => {
        assert.ok(error instanceof ConfigError)
        assert.match(error.message, /^Cannot load the upstream's OpenAPI document from /)
        assert.match(error.message, reason)
        assert.doesNotMatch(error.message, /\n/)
        return true
      })
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
