import fp from 'fastify-plugin'
import type { Config } from './config.js'
import { systemClock, type Clock } from './domain/clock.js'
import { secretFormat, type SecretFormat } from './domain/opaque-token.js'
import { AccessTokens } from './oauth/access-token.js'
import { RevocationList } from './oauth/revocation-list.js'
import { SigningKeys } from './oauth/signing-keys.js'
import { SigningKeySync } from './oauth/signing-keys-sync.js'
import { migrateToLatest, openStore, type Db, type Store } from './store/database.js'
import { loadKeyring, type LoadedKeyring } from './store/key-encryption-keys.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    clock: Clock
    db: Db
    store: Store
    signingKeys: SigningKeys
    /** The key-encryption keys that seal secrets at rest, and where the current one came from (for messages). */
    keyEncryption: LoadedKeyring
    accessTokens: AccessTokens
    revocations: RevocationList
    /** How this deployment mints opaque secrets (its prefix); pass it to whatever generates one. */
    secrets: SecretFormat
  }
}

export interface CoreOptions {
  config: Config
  /** A store opened by the caller (tests, CLI) stays open when the app closes. */
  store?: Store
  clock?: Clock
  /** The key-encryption keys, when the caller loaded them (`serve`, to report a generated one); else read from config here. */
  keyring?: LoadedKeyring
}

/** Shared infrastructure every capability depends on: config, database, keys, revocations. */
export const core = fp<CoreOptions>(
  async (server, { config, store: givenStore, clock = systemClock, keyring: givenKeyring }) => {
    // Before the database opens: a missing or unreadable key-encryption key stops start-up first.
    const keyring = givenKeyring ?? loadKeyring(config)
    const store = givenStore ?? openStore(config.databaseUrl, {
      onConnectionError: (error) => server.log.warn({ err: error }, 'a database connection failed; the pool will open a new one'),
    })
    await migrateToLatest(store.db)

    const signingKeys = new SigningKeys({
      db: store.db,
      clock,
      keyring: keyring.keyring,
      kekSource: keyring.source,
      retiredKeyLifetimeMs: (config.accessTokenTtlSeconds + 300) * 1000,
    })
    const { sealedPlaintextKeys, rotation } = await signingKeys.init().catch(async (error: unknown) => {
      if (!givenStore) await store.destroy()
      throw error
    })
    if (sealedPlaintextKeys > 0) server.log.warn({ sealedPlaintextKeys, rotation }, 'sealed signing keys left in plaintext by an earlier version; rotating to a new key, since backups still hold the old one')
    const accessTokens = new AccessTokens(signingKeys, clock, {
      issuer: config.issuer,
      audience: config.audience,
      ttlSeconds: config.accessTokenTtlSeconds,
    })
    const revocations = new RevocationList(store.db, clock, { pollMs: config.revocationPollMs, redisUrl: config.redisUrl })
    await revocations.start()

    server.decorate('config', config)
    server.decorate('clock', clock)
    server.decorate('store', store)
    server.decorate('db', store.db)
    server.decorate('signingKeys', signingKeys)
    server.decorate('keyEncryption', keyring)
    server.decorate('accessTokens', accessTokens)
    server.decorate('revocations', revocations)
    server.decorate('secrets', secretFormat(config.secretPrefix))

    // Publishes a key `keys rotate` made in another process before it signs; verification also reloads on an unknown kid.
    const keySync = new SigningKeySync(signingKeys, { redisUrl: config.redisUrl, onError: (error) => server.log.error({ err: error }, 'reading the signing keys failed') })
    await keySync.start()

    server.addHook('onClose', async () => {
      await keySync.stop()
      await revocations.stop()
      if (!givenStore) await store.destroy()
    })
  },
  { name: 'gatehouse-core' },
)
