import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildApp } from '../src/app.js'
import { createApp } from '../src/apps/apps.service.js'
import { testConfig } from '../src/config.js'
import { createUser } from '../src/users/users.service.js'

/**
 * Gatehouse as the benchmark sees it: a fresh SQLite file, no rate limit,
 * silent logs, and one extra operation behind the gate that does no other
 * work (`GET /2.0/bench/gated`), so the gate's own cost can be measured.
 * Prints `READY {json}` with the URL and the credentials the scenarios use.
 */
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'))
// Tokens name this issuer; the port is only known after listening and does not need to match it.
const issuer = 'http://gatehouse.bench'
const config = testConfig({
  port: 0,
  issuer,
  audience: `${issuer}/2.0`,
  databaseUrl: `sqlite:${join(dir, 'bench.db')}`,
  rateLimitPerMinute: 0,
  logLevel: 'warn',
  seedDemo: false,
})
const app = await buildApp(config)

// Described like any API operation, so the gate attaches to it exactly as to the real ones.
app.apiDescription.operations.push({ method: 'GET', path: '/bench/gated', operationId: 'benchGated', requiredScopes: ['account'] })
app.get('/2.0/bench/gated', { config: { operationId: 'benchGated' } }, async () => ({ hello: 'world' }))

await app.listen({ host: '127.0.0.1', port: 0 })
const { port } = app.server.address() as { port: number }

const user = await createUser(app.db, app.clock, { username: 'bench', password: 'bench-password' })
const { token } = await app.accessTokens.issue({ subject: user.id, clientId: 'bench', scope: 'account' })
const client = await createApp(app.db, app.clock, app.apiDescription.scopes, {
  name: 'Benchmark',
  redirectUris: [],
  grantTypes: ['client_credentials'],
  scopes: ['account'],
  ownerId: user.id,
  createdVia: 'cli',
})

process.stdout.write(`READY ${JSON.stringify({ url: `http://127.0.0.1:${port}`, token, clientId: client.app.clientId, clientSecret: client.clientSecret })}\n`)

process.once('SIGTERM', () => {
  void app.close().finally(() => {
    rmSync(dir, { recursive: true, force: true })
    process.exit(0)
  })
})
