import { Command } from 'commander'
import { rewrapSigningKeys, SigningKeys } from '../oauth/signing-keys.js'
import { listAllKeys } from '../oauth/signing-keys.queries.js'
import { announceKeyChange } from '../oauth/signing-keys-sync.js'
import { loadKeyring } from '../store/key-encryption-keys.js'
import { withDatabase } from './context.js'
import { output, table } from './output.js'

export function keyCommands(): Command {
  const keys = new Command('keys').description('Manage the keys that sign access tokens, and the key-encryption key they are sealed under')

  keys
    .command('rotate')
    .description('Publish a new signing key now; it starts signing once JWKS caches have expired, and the old one stays in JWKS until its tokens have expired')
    .option('--immediately', 'sign with the new key at once (a compromised key); verifiers that cached JWKS meet an unknown kid until they refetch it')
    .option('--json', 'print the result as JSON')
    .action(async (options: { immediately?: boolean; json?: boolean }) => {
      const scheduled = await withDatabase(async ({ config, db, clock }) => {
        const kek = loadKeyring(config)
        const signingKeys = new SigningKeys({ db, clock, keyring: kek.keyring, kekSource: kek.source, retiredKeyLifetimeMs: (config.accessTokenTtlSeconds + 300) * 1000 })
        await signingKeys.init()
        const rotation = await signingKeys.rotate({ immediately: Boolean(options.immediately) })
        await announceKeyChange(config.redisUrl)
        return rotation
      })
      const at = new Date(scheduled.activatesAt).toISOString()
      output(Boolean(options.json)).result({ kid: scheduled.kid, activates_at: at }, () => [
        `new signing key ${scheduled.kid}: in JWKS on every server within seconds, signing from ${at}`,
      ])
    })

  keys
    .command('rewrap')
    .description('Re-encrypt every sealed key under GATEHOUSE_KEK, reading older ones with the keys in GATEHOUSE_KEK_PREVIOUS')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const { result, kekId } = await withDatabase(async ({ config, db }) => {
        const kek = loadKeyring(config)
        return { result: await rewrapSigningKeys(db, kek.keyring), kekId: kek.keyring.current.id }
      })
      output(Boolean(options.json)).result({ kek_id: kekId, rewrapped: result.rewrapped, already_current: result.current, sealed_plaintext: result.sealedPlaintext }, () => [
        `${result.rewrapped.length} signing key${result.rewrapped.length === 1 ? '' : 's'} rewrapped under key-encryption key ${kekId}; ${result.current} already were`,
        ...(result.sealedPlaintext > 0 ? [`${result.sealedPlaintext} key${result.sealedPlaintext === 1 ? '' : 's'} found in plaintext sealed; run \`gatehouse keys rotate\`, since older backups hold them`] : []),
        'every record is now under the current key: GATEHOUSE_KEK_PREVIOUS can be removed',
      ])
    })

  keys
    .command('list')
    .description('List published keys')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const { rows, now } = await withDatabase(async ({ db, clock }) => ({ rows: await listAllKeys(db), now: clock.now() }))
      const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
      const view = rows.map((r) => ({
        kid: r.kid,
        alg: r.alg,
        status: status(r, now),
        kek_id: r.kek_id,
        created_at: iso(r.created_at),
        activates_at: iso(r.activates_at),
        retired_at: iso(r.retired_at),
        expires_at: iso(r.expires_at),
      }))
      output(Boolean(options.json)).result(view, () => table(view, ['kid', 'status', 'activates_at', 'expires_at', 'kek_id']))
    })

  return keys
}

function status(row: { activates_at: number; retired_at: number | null; expires_at: number | null }, now: number): string {
  if (row.expires_at !== null && row.expires_at <= now) return 'expired'
  if (row.retired_at !== null && row.retired_at <= now) return 'published'
  return row.activates_at > now ? 'scheduled' : 'signing'
}
