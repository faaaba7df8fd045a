import { Command } from 'commander'
import { SigningKeys } from '../oauth/signing-keys.js'
import { listAllKeys } from '../oauth/signing-keys.queries.js'
import { withDatabase } from './context.js'
import { output, table } from './output.js'

export function keyCommands(): Command {
  const keys = new Command('keys').description('Manage the keys that sign access tokens')

  keys
    .command('rotate')
    .description('Start signing with a new key; the old one stays in JWKS until its tokens have expired')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const kid = await withDatabase(async ({ config, db, clock }) => {
        const signingKeys = new SigningKeys(db, clock, (config.accessTokenTtlSeconds + 300) * 1000)
        await signingKeys.init()
        return signingKeys.rotate()
      })
      output(Boolean(options.json)).result({ kid }, () => [`new signing key ${kid}; running servers pick it up within a minute`])
    })

  keys
    .command('list')
    .description('List published keys')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const { rows, now } = await withDatabase(async ({ db, clock }) => ({ rows: await listAllKeys(db), now: clock.now() }))
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
      const view = rows.map((r) => ({ kid: r.kid, alg: r.alg, created_at: iso(r.created_at), retired_at: iso(r.retired_at), expires_at: iso(r.expires_at), status: r.retired_at === null ? 'signing' : (r.expires_at ?? 0) > now ? 'published' : 'expired' }))
      output(Boolean(options.json)).result(view, () => table(view, ['kid', 'status', 'created_at', 'expires_at']))
    })

  return keys
}
