import { randomBytes } from 'node:crypto'
import { buildServer } from '../src/server.js'
import { createApp } from '../src/apps/apps.service.js'
import { loadConfig } from '../src/config.js'
import { createUser } from '../src/users/users.service.js'
import type { BenchApp, GatehouseStarted, GatehouseStartOptions } from './protocol.js'

/**
 * Gatehouse as the benchmark sees it, in its own process: the shipped
 * configuration (every setting at its default) except where the runner names
 * a setting in `env`, on the SQLite file the runner gives, with one extra
 * operation behind the gate that does no other work (`GET /2.0/bench/gated`),
 * so the gate's own cost can be measured.
 *
 * With `setup`, it first creates the users and apps the pools are drawn from.
 * Prints `READY {json}` (GatehouseStarted).
 */
const options = JSON.parse(process.argv[2]) as GatehouseStartOptions
// Tokens name this issuer; the port is only known after listening and does not need to match it.
const issuer = 'http://gatehouse.bench'
const config = loadConfig({
  PORT: '0',
  GATEHOUSE_ISSUER: issuer,
  DATABASE_URL: `sqlite:${options.databaseFile}`,
  GATEHOUSE_LOG_LEVEL: 'warn',
  GATEHOUSE_SEED_DEMO: 'false',
  ...options.env,
})
const server = await buildServer(config)

// Described like any API operation, so the gate attaches to it exactly as to the real ones.
server.apiDescription.operations.push({ method: 'GET', path: '/bench/gated', operationId: 'benchGated', summary: undefined, requirements: [['account']] })
server.get('/2.0/bench/gated', { config: { operationId: 'benchGated' } }, async () => ({ hello: 'world' }))

// How many signatures were checked, so the runner can show whether a gateway scenario was warm or cold.
let verifications = 0
const accessTokens = server.accessTokens as { verify?: (token: string) => Promise<unknown> } | undefined
const verify = accessTokens?.verify?.bind(accessTokens)
if (accessTokens && verify) {
  accessTokens.verify = (token) => {
    verifications++
    return verify(token)
  }
}
server.get('/bench/stats', async () => ({ verifications: verify ? verifications : null }))

await server.listen({ host: '127.0.0.1', port: 0 })
const { port } = server.server.address() as { port: number }

const apps = options.setup ? await createApps(options.setup.users, options.setup.apps) : undefined
const started: GatehouseStarted = {
  url: `http://127.0.0.1:${port}`,
  settings: {
    rateLimitPerMinute: config.rateLimitPerMinute,
    gatewayCacheSize: config.gatewayCacheSize,
    throttle: (config as { throttle?: boolean }).throttle,
  },
  apps,
}
process.stdout.write(`READY ${JSON.stringify(started)}\n`)

process.once('SIGTERM', () => {
  void server.close().finally(() => process.exit(0))
})

/** `userCount` users, owning `appCount` confidential apps between them, each allowed client_credentials for `account`. */
async function createApps(userCount: number, appCount: number): Promise<BenchApp[]> {
  const users = await Promise.all(
    Array.from({ length: userCount }, (_, i) =>
      createUser(server.db, server.clock, { username: `bench-${String(i).padStart(3, '0')}`, password: randomBytes(12).toString('base64url') }),
    ),
  )
  const apps: BenchApp[] = []
  for (let i = 0; i < appCount; i++) {
    const owner = users[i % users.length]
    const created = await createApp(server.db, server.clock, server.apiDescription.scopes, {
      name: `Benchmark ${i}`,
      redirectUris: [],
      grantTypes: ['client_credentials'],
      scopes: ['account'],
      ownerId: owner.id,
      createdVia: 'cli',
    }, server.secrets)
    apps.push({ clientId: created.app.clientId, clientSecret: created.clientSecret!, username: owner.username })
  }
  return apps
}
