import { Command, Option } from 'commander'
import { ConnectKeys, connectKeyRecords } from '../apps/connect-keys.js'
import { installationSecretRecords } from '../installations/installation-secrets.js'
import { listAllKeys as listAllConnectKeys } from '../apps/connect-keys.queries.js'
import { sealPlaintextSigningKeys, signingKeyRecords, SigningKeys } from '../oauth/signing-keys.js'
import { listAllKeys } from '../oauth/signing-keys.queries.js'
import { announceKeyChange } from '../oauth/signing-keys-sync.js'
import { loadKeyring } from '../store/key-encryption-keys.js'
import { rewrapSealedTables } from '../store/sealed-tables.js'
import { withDatabase } from './context.js'
import { output, table } from './output.js'

export function keyCommands(): Command {
  const keys = new Command('keys').description('Manage the keys that sign access tokens and lifecycle callbacks (--connect), and the key-encryption key they are sealed under')

  keys
    .command('rotate')
    .description('Publish a new signing key now; it starts signing once JWKS caches have expired, and the old one stays in JWKS until its tokens have expired')
    .addOption(new Option('--immediately', 'sign with the new key at once (a compromised key); verifiers that cached JWKS meet an unknown kid until they refetch it').conflicts('connect'))
    .option('--connect', 'rotate the key that signs lifecycle callbacks to installed apps instead: the new one signs at once, the old one stays published for a day')
    .option('--json', 'print the result as JSON')
    .action(async (options: { immediately?: boolean; connect?: boolean; json?: boolean }) => {
      if (options.connect) return rotateConnectKey(Boolean(options.json))
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
    .description('Re-encrypt every sealed key (signing keys, connect keys, installation secrets) under GATEHOUSE_KEK, reading older ones with the keys in GATEHOUSE_KEK_PREVIOUS')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const { signing, connect, installations, sealedPlaintext, kekId } = await withDatabase(async ({ config, db }) => {
        const kek = loadKeyring(config)
        // Every table at once: all records are opened before any is written, so a missing key changes nothing.
        const [signing, connect, installations] = await rewrapSealedTables(db, kek.keyring, [signingKeyRecords, connectKeyRecords, installationSecretRecords])
        return { signing: signing!, connect: connect!, installations: installations!, sealedPlaintext: await sealPlaintextSigningKeys(db, kek.keyring), kekId: kek.keyring.current.id }
      })
      const json = {
        kek_id: kekId,
        rewrapped: signing.rewrapped,
        already_current: signing.current,
        sealed_plaintext: sealedPlaintext,
        connect_keys: { rewrapped: connect.rewrapped, already_current: connect.current },
        installation_secrets: { rewrapped: installations.rewrapped, already_current: installations.current },
      }
      output(Boolean(options.json)).result(json, () => [
        `${signing.rewrapped.length} signing key${signing.rewrapped.length === 1 ? '' : 's'} rewrapped under key-encryption key ${kekId}; ${signing.current} already were`,
        `${connect.rewrapped.length} connect key${connect.rewrapped.length === 1 ? '' : 's'} rewrapped under key-encryption key ${kekId}; ${connect.current} already were`,
        `${installations.rewrapped.length} installation secret${installations.rewrapped.length === 1 ? '' : 's'} rewrapped under key-encryption key ${kekId}; ${installations.current} already were`,
        ...(sealedPlaintext > 0 ? [`${sealedPlaintext} key${sealedPlaintext === 1 ? '' : 's'} found in plaintext sealed; run \`gatehouse keys rotate\`, since older backups hold them`] : []),
        'every record is now under the current key: GATEHOUSE_KEK_PREVIOUS can be removed',
      ])
    })

  keys
    .command('list')
    .description('List published keys')
    .option('--connect', 'list the keys that sign lifecycle callbacks instead')
    .option('--json', 'print the result as JSON')
    .action(async (options: { connect?: boolean; json?: boolean }) => {
      if (options.connect) return listConnectKeys(Boolean(options.json))
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

async function rotateConnectKey(json: boolean): Promise<void> {
  const rotation = await withDatabase(async ({ config, db, clock }) => {
    const kek = loadKeyring(config)
    const connectKeys = new ConnectKeys({ db, clock, keyring: kek.keyring, kekSource: kek.source, issuer: config.issuer })
    // Opens the current key first: a wrong GATEHOUSE_KEK stops here, before a key is sealed under it.
    await connectKeys.start()
    return connectKeys.rotate()
  })
  const iso = (ms: number) => new Date(ms).toISOString()
  output(json).result({ kid: rotation.kid, retired: rotation.retired.map((old) => ({ kid: old.kid, published_until: iso(old.expiresAt) })) }, () => [
    `new connect key ${rotation.kid}: every server signs callbacks with it from now on`,
    ...rotation.retired.map((old) => `connect key ${old.kid} no longer signs; it stays published until ${iso(old.expiresAt)}, for callbacks already signed`),
  ])
}

async function listConnectKeys(json: boolean): Promise<void> {
  const { rows, now } = await withDatabase(async ({ db, clock }) => ({ rows: await listAllConnectKeys(db), now: clock.now() }))
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
  const view = rows.map((r) => ({
    kid: r.kid,
    alg: r.alg,
    status: r.expires_at !== null && r.expires_at <= now ? 'expired' : r.retired_at !== null ? 'published' : 'signing',
    kek_id: r.kek_id,
    created_at: iso(r.created_at),
    retired_at: iso(r.retired_at),
    expires_at: iso(r.expires_at),
  }))
  output(json).result(view, () => table(view, ['kid', 'status', 'created_at', 'expires_at', 'kek_id']))
}
