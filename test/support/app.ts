import type { FastifyInstance } from 'fastify'
import { buildServer } from '../../src/server.js'
import { testConfig, type Config } from '../../src/config.js'
import type { Clock } from '../../src/domain/clock.js'
import { createTestDatabase, type TestDatabase } from './database.js'

export interface TestApp {
  app: FastifyInstance
  database: TestDatabase
  config: Config
  close(): Promise<void>
}

export interface TestAppOptions {
  listen?: boolean
  clock?: Clock
  /** Runs after `buildServer` and before the app is ready: register plugins not yet wired into `buildServer`. */
  beforeReady?: (app: FastifyInstance) => Promise<void>
}

/** A whole Gatehouse on a fresh database, for `inject()`; `listen: true` also serves on a free port and sets the issuer to it. */
export async function startTestApp(overrides: Partial<Config> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const database = await createTestDatabase()
  let config = testConfig({ databaseUrl: database.url, kek: database.kek, rateLimitPerMinute: 0, throttle: false, seedDemo: false, playground: false, ...overrides })
  let app: FastifyInstance
  if (options.listen) {
    // The issuer must be known before tokens are signed, so find a free port first.
    const port = await freePort()
    config = { ...config, port, issuer: `http://127.0.0.1:${port}`, audience: `http://127.0.0.1:${port}/2.0`, ...overrides }
    app = await buildServer(config, { clock: options.clock })
    await options.beforeReady?.(app)
    await app.listen({ host: '127.0.0.1', port })
  } else {
    app = await buildServer(config, { clock: options.clock })
    await options.beforeReady?.(app)
    await app.ready()
  }
  return {
    app,
    database,
    config,
    close: async () => {
      await app.close()
      await database.drop()
    },
  }
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}
