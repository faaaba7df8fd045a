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
        oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/t', scopes: { 'items:read': 'Read items', 'items:write': 'Change items', 'items:admin': 'Administer items' } } } },
        key: { type: 'apiKey', in: 'header', name: 'X-Key' },
      },
    },
    paths,
    ...extra,
  }
}

test('operations take their requirements from security; alternatives are kept; [] or an empty requirement is public', () => {
  const api = describeApi(documentWith({
    '/items': {
      get: { operationId: 'listItems', summary: 'The items', security: [{ oauth2: ['items:read'] }] },
      post: { security: [{ oauth2: ['items:read', 'items:write'] }, { oauth2: ['items:admin'] }] },
    },
    '/me': { get: { operationId: 'me', security: [{ oauth2: [] }] } },
    '/open': { get: { operationId: 'open', security: [] }, put: { operationId: 'anyone', security: [{}] }, delete: { operationId: 'optional', security: [{ oauth2: ['items:read'] }, {}] } },
  }))
  assert.deepEqual(api.scopes.map((s) => s.name), ['items:read', 'items:write', 'items:admin'])
  assert.equal(api.catalogueSource, 'openapi')
  assert.deepEqual(api.operations, [
    { method: 'GET', path: '/items', operationId: 'listItems', summary: 'The items', requirements: [['items:read']] },
    { method: 'POST', path: '/items', operationId: 'POST /items', summary: undefined, requirements: [['items:read', 'items:write'], ['items:admin']] },
    { method: 'GET', path: '/me', operationId: 'me', summary: undefined, requirements: [[]] },
    { method: 'GET', path: '/open', operationId: 'open', summary: undefined, requirements: null },
    { method: 'PUT', path: '/open', operationId: 'anyone', summary: undefined, requirements: null },
    { method: 'DELETE', path: '/open', operationId: 'optional', summary: undefined, requirements: null },
  ])
})

test('top-level security applies to operations that do not set their own', () => {
  const api = describeApi(documentWith({ '/items': { get: {}, delete: { security: [] } } }, { security: [{ oauth2: ['items:write'] }] }))
  assert.deepEqual(api.operations.map((o) => o.requirements), [[['items:write']], null])
})

test('a document the gate could not enforce as written is refused, naming the operation', () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ '/a': { get: {} } }, /^GET \/a has no "security": list its scope requirements, or write "security: \[\]" if it needs no token$/],
    [{ '/a': { get: { security: [{ key: [] }] } } }, /"key", which is not a declared oauth2 scheme/],
    [{ '/a': { get: { security: [{ oauth2: ['items:read'] }, { oauth2: ['items:delete'] }] } } }, /^GET \/a needs the scope "items:delete", which the document's OAuth2 scopes does not define$/],
    [{ '/a': { get: { security: ['items:read'] } } }, /each "security" requirement must be a map/],
    [{ '/a': { get: { operationId: 'x', security: [] }, put: { operationId: 'x', security: [] } } }, /used twice/],
    [{ a: { get: { security: [] } } }, /does not start with/],
  ]
  for (const [paths, message] of cases) {
    assert.throws(() => describeApi(documentWith(paths)), (error: unknown) => error instanceof ConfigError && message.test(error.message))
  }
  assert.throws(() => describeApi({ swagger: '2.0' }), /not OpenAPI 3/)
})

test('with a catalogue file, the catalogue decides which scopes exist, and classic ones keep their replacements', () => {
  const catalogue = {
    source: 'catalogue.yml',
    scopes: [
      { name: 'read:item', description: 'Read items' },
      { name: 'items:read', description: 'Read items (classic)', replacedBy: ['read:item'], deprecatedOn: '2027-01-01' },
    ],
  }
  const api = describeApi(documentWith({ '/items': { get: { security: [{ oauth2: ['items:read'] }, { oauth2: ['read:item'] }] } } }), catalogue)
  assert.deepEqual(api.scopes, catalogue.scopes)
  assert.equal(api.catalogueSource, 'catalogue.yml')
  // items:write is in the document's scheme but not in the catalogue: the operation naming it is refused.
  assert.throws(
    () => describeApi(documentWith({ '/items': { post: { operationId: 'addItem', security: [{ oauth2: ['items:write'] }] } } }), catalogue),
    (error: unknown) => error instanceof ConfigError && error.message === 'POST /items needs the scope "items:write", which the scope catalogue (catalogue.yml) does not define',
  )
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

test('GATEHOUSE_SCOPE_CATALOGUE gives an upstream its catalogue; a bad catalogue stops start-up naming the file and the fault', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-catalogue-'))
  try {
    const openapi = join(dir, 'openapi.json')
    writeFileSync(openapi, JSON.stringify(documentWith({ '/items': { get: { security: [{ oauth2: ['items:read'] }, { oauth2: ['read:item'] }] } } })))
    const catalogue = join(dir, 'scopes.yml')
    writeFileSync(catalogue, 'granular:\n  read:item: Read items\nclassic:\n  items:read:\n    description: Read items\n    replaced-by: [read:item]\n    deprecated: 2027-01-01\n')
    const config = testConfig({ upstreamUrl: 'http://127.0.0.1:1', upstreamOpenApi: openapi, scopeCatalogue: catalogue })
    const api = await loadApiDescription(config, notTheBuiltIn)
    assert.deepEqual(api.scopes.map((s) => [s.name, s.replacedBy, s.deprecatedOn]), [['read:item', undefined, undefined], ['items:read', ['read:item'], '2027-01-01']])

    writeFileSync(catalogue, 'granular:\n  read:item: Read items\nclassic:\n  items:read:\n    description: Read items\n    replaced-by: [read:items]\n')
    await assert.rejects(loadApiDescription(config, notTheBuiltIn), (error: unknown) => {
      assert.ok(error instanceof ConfigError)
      assert.equal(error.message, `The scope catalogue ${catalogue} is invalid: classic scope "items:read": "replaced-by" names "read:items", which is not a granular scope of this catalogue`)
      return true
    })
    await assert.rejects(loadApiDescription({ ...config, scopeCatalogue: join(dir, 'none.yml') }, notTheBuiltIn), /^ConfigError: Cannot read the scope catalogue .*none\.yml: no such file$|Cannot read the scope catalogue .*none\.yml: no such file/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
