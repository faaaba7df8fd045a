import { Command } from 'commander'
import type { GrantType } from '../apps/app.js'
import { createApp, listApps, rotateClientSecret } from '../apps/apps.service.js'
import { BadRequestError } from '../errors.js'
import { loadApiDescription } from '../gateway/api-description.js'
import { findUserByUsername } from '../users/users.service.js'
import { withDatabase } from './context.js'
import { output, table } from './output.js'

export function appCommands(): Command {
  const apps = new Command('app').description('Manage OAuth apps (clients)')

  apps
    .command('create')
    .description('Register an app; prints its client_id and, for confidential apps, its client_secret (shown once)')
    .requiredOption('--name <name>', 'the name users see on the consent page')
    .option('--redirect-uri <uri...>', 'allowed redirect URIs (exact match)')
    .option('--grant <type...>', 'grant types: authorization_code, refresh_token, client_credentials, password')
    .option('--scope <scope...>', 'scopes the app may ask for (default: none)')
    .option('--public', 'a public client (no secret; PKCE required)')
    .option('--owner <username>', 'the user the app belongs to; client-credentials tokens act as this user')
    .option('--json', 'print the result as JSON')
    .action(async (options: { name: string; redirectUri?: string[]; grant?: string[]; scope?: string[]; public?: boolean; owner?: string; json?: boolean }) => {
      const result = await withDatabase(async ({ config, db, clock, secrets }) => {
        const ownerId = options.owner ? await userId(db, options.owner) : undefined
        const { scopes } = await loadApiDescription(config)
        return createApp(db, clock, scopes, {
          name: options.name,
          redirectUris: options.redirectUri,
          grantTypes: options.grant as GrantType[] | undefined,
          scopes: options.scope,
          isPublic: Boolean(options.public),
          ownerId,
          createdVia: 'cli',
        }, secrets)
      })
      const { app, clientSecret } = result
      output(Boolean(options.json)).result(
        { client_id: app.clientId, ...(clientSecret ? { client_secret: clientSecret } : {}), name: app.name, public: app.isPublic, redirect_uris: app.redirectUris, grant_types: app.grantTypes, scopes: app.scopes },
        () => [
          `created ${app.isPublic ? 'public' : 'confidential'} app "${app.name}"`,
          `client_id      ${app.clientId}`,
          ...(clientSecret ? [`client_secret  ${clientSecret}  (shown once)`] : []),
          `grants         ${app.grantTypes.join(' ')}`,
          `scopes         ${app.scopes.join(' ') || '(none)'}`,
          ...app.redirectUris.map((uri) => `redirect_uri   ${uri}`),
        ],
      )
    })

  apps
    .command('rotate-secret <client_id>')
    .description('Issue a new client secret; the old ones keep working for a grace period so deployments can roll over')
    .option('--grace <seconds>', 'how long old secrets keep working (default: GATEHOUSE_SECRET_ROTATION_GRACE, 1 day)')
    .option('--json', 'print the result as JSON')
    .action(async (clientId: string, options: { grace?: string; json?: boolean }) => {
      const result = await withDatabase(({ config, db, clock, secrets }) =>
        rotateClientSecret(db, clock, clientId, { graceSeconds: options.grace === undefined ? config.secretRotationGraceSeconds : seconds(options.grace, '--grace') }, secrets),
      )
      const until = new Date(result.previousSecretsExpireAt).toISOString()
      output(Boolean(options.json)).result({ client_id: clientId, client_secret: result.clientSecret, previous_secrets_expire_at: until }, () => [
        `client_secret  ${result.clientSecret}  (shown once)`,
        `the previous secret works until ${until}`,
      ])
    })

  apps
    .command('list')
    .description('List apps')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const rows = await withDatabase(({ db }) => listApps(db))
      output(Boolean(options.json)).result(
        rows.map((a) => ({ client_id: a.clientId, name: a.name, public: a.isPublic, grant_types: a.grantTypes, scopes: a.scopes, redirect_uris: a.redirectUris })),
        () => table(rows.map((a) => ({ client_id: a.clientId, name: a.name, type: a.isPublic ? 'public' : 'confidential', scopes: a.scopes.join(' ') })), ['client_id', 'name', 'type', 'scopes']),
      )
    })

  return apps
}

async function userId(db: Parameters<typeof findUserByUsername>[0], username: string): Promise<string> {
  const user = await findUserByUsername(db, username)
  if (!user) throw new BadRequestError(`No user named "${username}"`)
  return user.id
}

export function seconds(value: string, option: string): number {
  if (!/^\d+$/.test(value)) throw new BadRequestError(`${option} must be a whole number of seconds, got "${value}"`)
  return Number(value)
}
