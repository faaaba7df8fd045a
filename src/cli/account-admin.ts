import type { AccountAdminDeps } from '../admin/accounts.service.js'
import { RevocationList } from '../oauth/revocation-list.js'
import { withDatabase, type CommandContext } from './context.js'

/**
 * Runs an account or app administration command: the database for the record, and (with
 * REDIS_URL) a publisher, so running servers hear of the change at once rather than at their
 * next poll of the revocations table.
 */
export function withAccountAdmin<T>(run: (deps: AccountAdminDeps, context: CommandContext) => Promise<T>): Promise<T> {
  return withDatabase(async (context) => {
    const { config, db, clock } = context
    const revocations = new RevocationList(db, clock, { pollMs: config.revocationPollMs, redisUrl: config.redisUrl })
    await revocations.connectPublisher()
    try {
      return await run({ db, clock, accessTokenTtlSeconds: config.accessTokenTtlSeconds, revocations }, context)
    } finally {
      await revocations.stop()
    }
  })
}
