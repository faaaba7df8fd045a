import { Command } from 'commander'
import { buildApp } from '../app.js'
import { loadConfig } from '../config.js'
import { migrateToLatest, openStore } from '../store/database.js'
import { withDatabase } from './context.js'
import { seedDemoIfEmpty, type DemoSeed } from './demo-seed.js'
import { output } from './output.js'

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the server (migrates the database; seeds a demo into an empty one unless GATEHOUSE_SEED_DEMO=false)')
    .option('--json', 'print the start-up summary as JSON')
    .action(async (options: { json?: boolean }) => {
      const config = loadConfig()
      const seed = config.seedDemo ? await withDatabase((context) => seedDemoIfEmpty(context)) : undefined
      const app = await buildApp(config)
      await app.listen({ host: config.host, port: config.port })
      const urls = {
        home: `${config.issuer}/`,
        discovery: `${config.issuer}/.well-known/oauth-authorization-server`,
        api: `${config.issuer}/2.0/`,
        openapi: `${config.upstreamUrl ?? `${config.issuer}/2.0`}/openapi.json`,
      }
      output(Boolean(options.json)).result({ listening: config.issuer, database: redact(config.databaseUrl), urls, demo: seed }, () => [
        `Gatehouse is listening on ${config.issuer} (database: ${redact(config.databaseUrl)})`,
        `  home       ${urls.home}`,
        `  discovery  ${urls.discovery}`,
        `  API        ${urls.api}  (OpenAPI: ${urls.openapi})`,
        ...(seed ? describeSeed(seed) : []),
      ])
      const stop = async () => {
        await app.close()
        process.exit(0)
      }
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
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
  ]
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]+@/, '//$1:***@')
}
