import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { FastifyInstance } from 'fastify'
import { buildServer } from '../../src/server.js'
import { testConfig } from '../../src/config.js'
import { routePath } from '../../src/gateway/api-description.js'
import { createTestDatabase, type TestDatabase } from '../support/database.js'
import { startTestApp, type TestApp } from '../support/app.js'

let t: TestApp
before(async () => (t = await startTestApp()))
after(() => t.close())

const GRANULAR = [
  'read:user', 'read:workspace', 'read:workspace-member', 'read:repository', 'write:repository', 'delete:repository',
  'read:issue', 'write:issue', 'read:issue-comment', 'write:issue-comment',
  'read:installation', 'write:installation', 'delete:installation', 'write:app', 'read:app-delivery',
]
const CLASSIC = ['account', 'workspace', 'repository', 'repository:write', 'issue', 'issue:write', 'workspace:admin', 'app', 'app:write']
const SCOPES = [...GRANULAR, ...CLASSIC]

test('GET /2.0/openapi.json serves the document without a token', async () => {
  const response = await t.app.inject({ url: '/2.0/openapi.json' })
  assert.equal(response.statusCode, 200)
  assert.match(response.headers['content-type'] as string, /^application\/json/)
  const document = response.json()
  assert.equal(document.openapi, '3.1.0')
  assert.deepEqual(Object.keys(document.components.securitySchemes.oauth2.flows.authorizationCode.scopes), SCOPES)
  assert.deepEqual(t.app.apiDescription.scopes.map((s) => s.name), SCOPES)
  assert.deepEqual(t.app.apiDescription.scopes.filter((s) => s.replacedBy !== undefined).map((s) => s.name), CLASSIC)
})

test('every operation has an operationId, a security requirement and responses', () => {
  const { paths } = t.app.apiDescription.document as { paths: Record<string, Record<string, any>> }
  for (const [path, item] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(item)) {
      assert.equal(typeof operation.operationId, 'string', `${method} ${path}`)
      assert.ok(Array.isArray(operation.security), `${method} ${path} has no security`)
      assert.ok(Object.keys(operation.responses).length > 0)
      for (const name of path.match(/\{([^}]+)\}/g) ?? []) {
        assert.ok(operation.parameters.some((p: { name: string; in: string }) => p.in === 'path' && `{${p.name}}` === name), `${method} ${path} lacks ${name}`)
      }
    }
  }
})

test('each operation lists the classic requirement and the granular one side by side; only the document itself is public', () => {
  const byId = Object.fromEntries(t.app.apiDescription.operations.map((o) => [o.operationId, o.requirements]))
  assert.deepEqual(byId, {
    getOpenApiDocument: null,
    getCurrentUser: [['account'], ['read:user']],
    listWorkspaces: [['workspace'], ['read:workspace']],
    getWorkspace: [['workspace'], ['read:workspace']],
    listWorkspaceMembers: [['workspace'], ['read:workspace', 'read:workspace-member']],
    listRepositories: [['repository'], ['read:repository']],
    createRepository: [['repository:write'], ['write:repository']],
    getRepository: [['repository'], ['read:repository']],
    updateRepository: [['repository:write'], ['write:repository']],
    deleteRepository: [['repository:write'], ['delete:repository']],
    listIssues: [['issue'], ['read:issue']],
    createIssue: [['issue:write'], ['write:issue']],
    getIssue: [['issue'], ['read:issue']],
    updateIssue: [['issue:write'], ['write:issue']],
    listIssueComments: [['issue'], ['read:issue', 'read:issue-comment']],
    createIssueComment: [['issue:write'], ['write:issue-comment']],
    listInstallations: [['workspace'], ['read:installation']],
    installApp: [['workspace:admin'], ['write:installation']],
    uninstallApp: [['workspace:admin'], ['delete:installation']],
    registerApp: [['app:write'], ['write:app']],
    listAppDeliveries: [['app'], ['read:app-delivery']],
  })
})

test('every classic requirement is covered by what its scopes stand for in the catalogue', () => {
  const catalogue = t.app.apiDescription.scopes
  for (const operation of t.app.apiDescription.operations) {
    if (operation.requirements === null) continue
    const [classic, granular] = operation.requirements
    const standsFor = new Set(classic.flatMap((scope) => catalogue.find((s) => s.name === scope)?.replacedBy ?? []))
    for (const scope of granular) assert.ok(standsFor.has(scope), `${operation.operationId}: ${classic.join(' ')} does not stand for ${scope}`)
  }
})

test('every operation in the document is served by a route', () => {
  for (const operation of t.app.apiDescription.operations) {
    assert.ok(t.app.hasRoute({ method: operation.method as 'GET', url: routePath(operation.path) }), `${operation.method} ${operation.path} has no route`)
  }
})

// The other direction is enforced at start-up: the gateway refuses any /2.0 route that names no
// operation, or names one whose method and path differ, so no API route can go out unguarded.
async function unreadyApp(): Promise<{ app: FastifyInstance; database: TestDatabase }> {
  const database = await createTestDatabase()
  const app = await buildServer(testConfig({ databaseUrl: database.url, kek: database.kek, rateLimitPerMinute: 0, seedDemo: false }))
  return { app, database }
}

test('an API route without an operation in the document stops start-up', async () => {
  const { app, database } = await unreadyApp()
  try {
    assert.throws(() => app.get('/2.0/unlisted', async () => 'open to all'), /names no OpenAPI operation/)
    assert.throws(() => app.get('/2.0/other', { config: { operationId: 'noSuchOperation' } }, async () => ''), /lacks/)
    assert.throws(
      () => app.delete('/2.0/user', { config: { operationId: 'getCurrentUser' } }, async () => ''),
      /which is GET \/2\.0\/user/,
    )
  } finally {
    await app.close().catch(() => {})
    await database.drop()
  }
})
