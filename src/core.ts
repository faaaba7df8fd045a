import fp from 'fastify-plugin'
import type { Config } from './config.js'
import { systemClock, type Clock } from './domain/clock.js'
import { AccessTokens } from './oauth/access-token.js'
import { RevocationList } from './oauth/revocation-list.js'
import { SigningKeys } from './oauth/signing-keys.js'
import { migrateToLatest, openStore, type Db, type Store } from './store/database.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    clock: Clock
    db: Db
    store: Store
    signingKeys: SigningKeys
    accessTokens: AccessTokens
    revocations: RevocationList
  }
}

export interface CoreOptions {
  config: Config
  /** A store opened by the caller (tests, CLI) stays open when the app closes. */
  store?: Store
  clock?: Clock
}

/** Shared infrastructure every capability depends on: config, database, keys, revocations. */
export const core = fp<CoreOptions>(
  async (app, { config, store: givenStore, clock = systemClock }) => {
    const store = givenStore ?? openStore(config.databaseUrl)
    await migrateToLatest(store.db)

    const signingKeys = new SigningKeys(store.db, clock, (config.accessTokenTtlSeconds + 300) * 1000)
    await signingKeys.init()
    const accessTokens = new AccessTokens(signingKeys, clock, {
      issuer: config.issuer,
      audience: config.audience,
      ttlSeconds: config.accessTokenTtlSeconds,
    })
    const revocations = new RevocationList(store.db, clock, { pollMs: config.revocationPollMs, redisUrl: config.redisUrl })
    await revocations.start()

    app.decorate('config', config)
    app.decorate('clock', clock)
    app.decorate('store', store)
    app.decorate('db', store.db)
    app.decorate('signingKeys', signingKeys)
    app.decorate('accessTokens', accessTokens)
    app.decorate('revocations', revocations)

    // Picks up `keys rotate` run by another process; verification already reloads on an unknown kid.
    const keyReload = setInterval(() => signingKeys.reload().catch(() => {}), 60_000)
    keyReload.unref()

    app.addHook('onClose', async () => {
      clearInterval(keyReload)
      await revocations.stop()
      if (!givenStore) await store.destroy()
    })
  },
  { name: 'gatehouse-core' },
)
