import { Command } from 'commander'
import { buildServer } from '../server.js'
import { loadConfig } from '../config.js'
import { migrateToLatest, openStore } from '../store/database.js'
import { loadKeyring } from '../store/key-encryption-keys.js'
import { withDatabase } from './context.js'
import { demoSeedDecision, refreshDemoDescriptor, seedDemoIfEmpty, type DemoSeed } from './demo-seed.js'
import { output } from './output.js'
import { shutDownOnSignals } from './shutdown.js'

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the server (migrates the database; seeds a demo into an empty embedded one on loopback unless GATEHOUSE_SEED_DEMO=false)')
    .option('--json', 'print the start-up summary as JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig()
      // First, so a missing key-encryption key stops start-up before anything else happens.
      const kek = loadKeyring(config)
      const seeding = demoSeedDecision(config)
      if (seeding.notice) process.stderr.write(`gatehouse: ${seeding.notice}\n`)
      const seed = seeding.seed ? await withDatabase((context) => seedDemoIfEmpty(context)) : undefined
      if (seeding.seed && !seed && (await withDatabase((context) => refreshDemoDescriptor(context)))) {
        process.stderr.write(`gatehouse: the demo installed app now points at ${config.issuer}/demo-vendor (the address changed since the demo was seeded)\n`)
      }
      const app = await buildServer(config, { keyring: kek })
      shutDownOnSignals(app, { timeoutMs: config.shutdownTimeoutSeconds * 1000 })
      await app.listen({ host: config.host, port: config.port })
      const urls = {
        home: `${config.issuer}/`,
        discovery: `${config.issuer}/.well-known/oauth-authorization-server`,
        api: `${config.issuer}/2.0/`,
        openapi: `${config.upstreamUrl ?? `${config.issuer}/2.0`}/openapi.json`,
        scopes: `${config.issuer}/docs/scopes`,
        ...(config.playground ? { playground: `${config.issuer}/playground` } : {}),
      }
      output(Boolean(options.json)).result({ listening: config.issuer, database: redact(config.databaseUrl), urls, generated_kek_file: kek.generatedFile, demo: seed }, () => [
        `Gatehouse is listening on ${config.issuer} (database: ${redact(config.databaseUrl)})`,
        `  home       ${urls.home}`,
        `  discovery  ${urls.discovery}`,
        `  API        ${urls.api}  (OpenAPI: ${urls.openapi})`,
        `  scopes     ${urls.scopes}  (every operation and the scopes it needs)`,
        ...(urls.playground ? [`  playground ${urls.playground}  (the authorization-code flow, step by step)`] : []),
        ...(kek.generatedFile ? [`Generated the key-encryption key ${kek.generatedFile} (mode 0600): the signing keys are sealed under it; back it up, apart from the database`] : []),
        ...(seed ? describeSeed(seed) : []),
      ])
    })
}

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('Bring the database schema up to date')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig()
      const store = openStore(config.databaseUrl)
      try {
        const { results = [] } = await migrateToLatest(store.db)
        const applied = results.map((r) => r.migrationName)
        output(Boolean(options.json)).result({ applied }, () =>
          applied.length ? applied.map((name) => `applied ${name}`) : ['the database is up to date'],
        )
      } finally {
        await store.destroy()
      }
    })
}

function describeSeed(seed: DemoSeed): string[] {
  return [
    '',
    'First start: a demo was seeded. These secrets are shown only now; keep them.',
    `  admin      ${seed.admin.username} / ${seed.admin.password}`,
    `  user       ${seed.user.username} / ${seed.user.password}`,
    `  workspace  ${seed.workspace}  (repository ${seed.workspace}/${seed.repository})`,
    `  demo app   client_id ${seed.app.clientId}`,
    `             client_secret ${seed.app.clientSecret}`,
    `             redirect_uri ${seed.app.redirectUri}`,
    `             scopes ${seed.app.scopes.join(' ')}`,
    `  installed app  ${seed.installedApp.key}: install it from Settings → Workspaces → ${seed.workspace} → Apps (descriptor ${seed.installedApp.descriptorUrl})`,
  ]
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@')
}
