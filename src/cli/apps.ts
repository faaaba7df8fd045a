import { Command } from 'commander'
import type { GrantType } from '../apps/app.js'
import { deleteApp, disableApp, enableApp, rotateAppSecret, setAppVerified, type AppChange } from '../admin/accounts.service.js'
import { createApp, listApps, updateApp } from '../apps/apps.service.js'
import { endApprovalsNotCovering } from '../consent/decisions.service.js'
import { BadRequestError } from '../errors.js'
import { loadApiDescription } from '../gateway/api-description.js'
import { sampleApi } from '../platform/openapi.js'
import { findUserByUsername } from '../users/users.service.js'
import { withAccountAdmin } from './account-admin.js'
import { withDatabase } from './context.js'
import { output, reconsentGraceOption, table } from './output.js'

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
    .option('--resource-server', 'a resource server: it may introspect any token, not only its own')
    .option('--json', 'print the result as JSON')
    .action(async (options: { name: string; redirectUri?: string[]; grant?: string[]; scope?: string[]; public?: boolean; owner?: string; resourceServer?: boolean; json?: boolean }) => {
      const result = await withAccountAdmin(async ({ db, clock, revocations }, { config, secrets }) => {
        const ownerId = options.owner ? await userId(db, options.owner) : undefined
        const { scopes } = await loadApiDescription(config, sampleApi)
        const input = {
          name: options.name,
          redirectUris: options.redirectUri,
          grantTypes: options.grant as GrantType[] | undefined,
          scopes: options.scope,
          isPublic: Boolean(options.public),
          isResourceServer: Boolean(options.resourceServer),
          ownerId,
          createdVia: 'cli' as const,
        }
        // Running servers hear of the app (its redirect-URI origins join the CORS origins).
        const announced = await db.transaction().execute(async (trx) => {
          const created = await createApp(trx, clock, scopes, input, secrets)
          return { ...created, announce: await revocations.recordAppChanged(trx, created.app.clientId) }
        })
        announced.announce()
        return announced
      })
      const { app, clientSecret } = result
      // On stderr, so --json output stays one document: the app exists, but every token request would fail.
      if (app.scopes.length === 0) process.stderr.write('gatehouse: note: the app may ask for no scope at all (no --scope given), so no token can be issued to it; create it with --scope, e.g. --scope account\n')
      output(Boolean(options.json)).result(
        {
          client_id: app.clientId, ...(clientSecret ? { client_secret: clientSecret } : {}), name: app.name, public: app.isPublic,
          resource_server: app.isResourceServer, redirect_uris: app.redirectUris, grant_types: app.grantTypes, scopes: app.scopes,
        },
        () => [
          `created ${app.isPublic ? 'public' : 'confidential'} app "${app.name}"${app.isResourceServer ? ' (a resource server: it may introspect any token)' : ''}`,
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
      const result = await withAccountAdmin((deps, { config, secrets }) =>
        rotateAppSecret(deps, clientId, options.grace === undefined ? config.secretRotationGraceSeconds : seconds(options.grace, '--grace'), secrets),
      )
      const until = new Date(result.previousSecretsExpireAt).toISOString()
      output(Boolean(options.json)).result(
        { client_id: clientId, client_secret: result.clientSecret, previous_secrets_expire_at: until, revoked_client_credentials_grants: result.revokedGrants },
        () => [
          `client_secret  ${result.clientSecret}  (shown once)`,
          result.previousSecretsExpireAt <= Date.now()
            ? `the previous secret no longer works, on any server; its client-credentials tokens are revoked`
            : `the previous secret works until ${until}`,
        ],
      )
    })

  const change = (verb: 'disable' | 'enable' | 'delete', description: string, run: typeof disableApp) =>
    apps
      .command(`${verb} <client_id>`)
      .description(description)
      .option('--json', 'print the result as JSON')
      .action(async (clientId: string, options: { json?: boolean }) => {
        const result = await withAccountAdmin((deps) => run(deps, clientId))
        output(Boolean(options.json)).result(appChangeJson(result), () => [appChangeLine(result)])
      })
  apps
    .command('update <client_id>')
    .description('Change an app\'s settings, checked by the same rules as a new app; options left out stay as they are')
    .option('--name <name>', 'the name users see on the consent page')
    .option('--redirect-uri <uri...>', 'the allowed redirect URIs (replaces the list)')
    .option('--scope <scope...>', 'the scopes the app may ask for (replaces the list)')
    .option('--owner <username>', 'the user the app belongs to; client-credentials tokens act as this user')
    .option('--homepage <url>', 'the app\'s homepage, shown on the consent page ("" removes it)')
    .option('--description <text>', 'what the app does, shown on the consent page')
    .option('--reconsent-grace <period>', 'when --scope adds scopes: keep earlier approvals working with the old ones for this long (e.g. 14d, 36h) instead of ending them now')
    .option('--json', 'print the result as JSON')
    .action(async (clientId: string, options: { name?: string; redirectUri?: string[]; scope?: string[]; owner?: string; homepage?: string; description?: string; reconsentGrace?: string; json?: boolean }) => {
      const graceMs = reconsentGraceOption(options.reconsentGrace)
      const result = await withAccountAdmin(async (deps, { config }) => {
        const { db, clock, revocations } = deps
        const { scopes } = await loadApiDescription(config, sampleApi)
        const updated = await updateApp({ db, clock, notices: revocations }, scopes, clientId, {
          name: options.name,
          description: options.description,
          redirectUris: options.redirectUri,
          homepageUrl: options.homepage,
          scopes: options.scope,
          ownerId: options.owner === undefined ? undefined : await userId(db, options.owner),
        })
        // Wider scopes: approvals given for fewer end now, or after the grace period (the consent rule).
        const reconsent = updated.widenedScopes.length === 0 ? null : await endApprovalsNotCovering({ ...deps, catalogue: scopes }, { appId: updated.app.id, installationId: null, appScopes: updated.app.scopes, graceMs })
        return { ...updated, reconsent }
      })
      const shown = (value: string | string[] | null) => (value === null ? '(none)' : Array.isArray(value) ? value.join(' ') || '(none)' : value)
      output(Boolean(options.json)).result(
        { client_id: clientId, changed: result.changed.map((c) => ({ field: c.field, from: c.from, to: c.to })), widened_scopes: result.widenedScopes, approvals_ended: result.reconsent?.ended ?? 0, approvals_in_grace: result.reconsent?.inGrace ?? 0, grace_ends_at: result.reconsent?.graceEndsAt ? new Date(result.reconsent.graceEndsAt).toISOString() : null },
        () => result.changed.length === 0
          ? [`app ${clientId}: nothing changed`]
          : [
              `updated app "${result.app.name}" (${clientId})`,
              ...result.changed.map((c) => `${c.field.padEnd(14)} ${shown(c.from)} → ${shown(c.to)}`),
              ...(result.reconsent === null ? [] : result.reconsent.graceEndsAt !== null
                ? [`${result.reconsent.inGrace} approval(s) keep the old scopes until ${new Date(result.reconsent.graceEndsAt).toISOString()}; people are asked for ${result.widenedScopes.join(' ')} at their next use`]
                : [`${result.reconsent.ended} approval(s) for fewer scopes ended, with their tokens; people are asked again`]),
            ],
      )
    })

  change('disable', 'Disable an app: it can no longer authenticate, and every grant and token it holds is revoked, on every server within a second', disableApp)
  change('enable', 'Enable a disabled app again; the tokens revoked when it was disabled stay revoked', enableApp)
  change('delete', 'Delete an app with its secrets, grants and tokens', deleteApp)

  const verification = (verb: 'verify' | 'unverify', description: string, verified: boolean) =>
    apps
      .command(`${verb} <client_id>`)
      .description(description)
      .option('--json', 'print the result as JSON')
      .action(async (clientId: string, options: { json?: boolean }) => {
        const result = await withAccountAdmin((deps) => setAppVerified(deps, clientId, verified))
        const verifiedAt = result.verifiedAt === null ? null : new Date(result.verifiedAt).toISOString()
        output(Boolean(options.json)).result({ client_id: clientId, name: result.name, verified: verifiedAt !== null, verified_at: verifiedAt }, () => [
          verifiedAt ? `app "${result.name}" (${clientId}) is verified since ${verifiedAt}; its consent page says so` : `app "${result.name}" (${clientId}) is no longer verified`,
        ])
      })
  verification('verify', 'Mark an app as verified by an administrator: its consent page says so', true)
  verification('unverify', "Remove an app's verification; its consent page marks it unverified", false)

  apps
    .command('list')
    .description('List apps')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const rows = await withDatabase(({ db }) => listApps(db))
      output(Boolean(options.json)).result(
        rows.map((a) => ({
          client_id: a.clientId, name: a.name, public: a.isPublic, resource_server: a.isResourceServer, grant_types: a.grantTypes, scopes: a.scopes,
          redirect_uris: a.redirectUris, disabled_at: a.disabledAt === null ? null : new Date(a.disabledAt).toISOString(),
        })),
        () => table(rows.map((a) => ({
          client_id: a.clientId, name: a.name, type: `${a.isPublic ? 'public' : 'confidential'}${a.isResourceServer ? ', resource server' : ''}`,
          scopes: a.scopes.join(' '), state: a.disabledAt === null ? '' : 'disabled',
        })), ['client_id', 'name', 'type', 'scopes', 'state']),
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
  return wholeNumber(value, option, 'seconds')
}

/** An option that counts something (seconds, uses): digits only, or one line saying what it counts. */
export function wholeNumber(value: string, option: string, unit: string): number {
  if (!/^\d+$/.test(value)) throw new BadRequestError(`${option} must be a whole number of ${unit}, got "${value}"`)
  return Number(value)
}

function appChangeJson(change: AppChange) {
  return { client_id: change.clientId, name: change.name, disabled: change.disabled, ...(change.deleted ? { deleted: true } : {}), ...(change.revokedGrants === undefined ? {} : { revoked_grants: change.revokedGrants }) }
}

function appChangeLine(change: AppChange): string {
  if (change.deleted) return `deleted app "${change.name}" (${change.clientId}); its tokens are revoked`
  if (change.disabled) return `disabled app "${change.name}" (${change.clientId}); ${change.revokedGrants ?? 0} grant(s) and every token revoked`
  return `enabled app "${change.name}" (${change.clientId}); tokens from before stay revoked`
}
