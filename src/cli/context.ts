import { loadConfig, type Config } from '../config.js'
import { systemClock, type Clock } from '../domain/clock.js'
import { secretFormat, type SecretFormat } from '../domain/opaque-token.js'
import { migrateToLatest, openStore, type Db } from '../store/database.js'

export interface CommandContext {
  config: Config
  db: Db
  clock: Clock
  /** How this deployment mints secrets (GATEHOUSE_SECRET_PREFIX). */
  secrets: SecretFormat
}

/** Opens the configured database (migrated) for one command and closes it afterwards. */
export async function withDatabase<T>(run: (context: CommandContext) => Promise<T>): Promise<T> {
  const config = loadConfig()
  const store = openStore(config.databaseUrl)
  try {
    await migrateToLatest(store.db)
    return await run({ config, db: store.db, clock: systemClock, secrets: secretFormat(config.secretPrefix) })
  } finally {
    await store.destroy()
  }
}

/** Reads all of stdin (for --password-stdin), without the trailing newline. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '')
}
