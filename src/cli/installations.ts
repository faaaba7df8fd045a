import { readFile } from 'node:fs/promises'
import { Command } from 'commander'
import { ConnectKeys } from '../apps/connect-keys.js'
import { BadRequestError } from '../errors.js'
import { CallbackDeliverer } from '../installations/callbacks.js'
import { getInstalledApp, listInstalledApps, registerDescriptor, type DescriptorDeps, type DescriptorSource, type InstalledApp } from '../installations/descriptors.service.js'
import { changeInstallation, install, listDeliveries, listInstallations, rotateSharedSecret, upgradeInstallation, type InstallationChange, type InstallationDeps } from '../installations/installations.service.js'
import { appRequestPolicy } from '../installations/lifecycle.js'
import { loadApiDescription } from '../gateway/api-description.js'
import { sampleApi } from '../platform/openapi.js'
import { loadKeyring } from '../store/key-encryption-keys.js'
import { findUserByUsername } from '../users/users.service.js'
import type { Db } from '../store/database.js'
import { withAccountAdmin } from './account-admin.js'
import { output, reconsentGraceOption, table } from './output.js'

interface LifecycleContext {
  db: Db
  descriptors: DescriptorDeps
  installations: InstallationDeps
  deliverer: CallbackDeliverer
}

/**
 * Runs an installed-apps command with what the services need: connect keys to sign callbacks, a
 * revocation publisher, and a deliverer that sends queued callbacks once before the command ends
 * (a running server's deliverer takes over whatever is left, such as retries).
 */
function withLifecycle<T>(run: (context: LifecycleContext) => Promise<T>): Promise<T> {
  return withAccountAdmin(async ({ db, clock, revocations, accessTokenTtlSeconds }, { config }) => {
    const kek = loadKeyring(config)
    const connectKeys = new ConnectKeys({ db, clock, keyring: kek.keyring, kekSource: kek.source, issuer: config.issuer })
    await connectKeys.start()
    const requests = appRequestPolicy(config)
    const deliverer = new CallbackDeliverer({ db, clock, connectKeys, requests })
    const { scopes } = await loadApiDescription(config, sampleApi)
    return run({
      db,
      descriptors: { db, clock, scopeNames: scopes.map((s) => s.name), allowInsecureBaseUrl: requests.allowLoopback, requests, consent: { db, clock, revocations, accessTokenTtlSeconds, catalogue: scopes } },
      installations: { db, clock, keyring: kek.keyring, issuer: config.issuer, connectKeys, requests, revocations, deliverer, accessTokenTtlSeconds, consent: { db, clock, revocations, accessTokenTtlSeconds, catalogue: scopes } },
      deliverer,
    })
  })
}

export function descriptorCommands(): Command {
  const descriptor = new Command('descriptor').description("Register and inspect installed apps' descriptors")

  descriptor
    .command('add <url-or-file>')
    .description('Register an installed app from its descriptor (fetched from an http(s) URL, or read from a JSON file), or update it')
    .requiredOption('--owner <username>', 'the vendor account that publishes the app')
    .option('--reconsent-grace <period>', "when the update asks for more scopes: keep people's earlier approvals working with the old ones for this long (e.g. 14d) instead of ending them now")
    .option('--json', 'print the result as JSON')
    .action(async (location: string, options: { owner: string; reconsentGrace?: string; json?: boolean }) => {
      const reconsentGraceMs = reconsentGraceOption(options.reconsentGrace)
      const source = await descriptorSource(location)
      const result = await withLifecycle(async ({ db, descriptors }) => {
        const owner = await findUserByUsername(db, options.owner)
        if (!owner) throw new BadRequestError(`No user named "${options.owner}"`)
        return registerDescriptor(descriptors, source, { ownerId: owner.id, isAdmin: true }, { reconsentGraceMs })
      })
      output(Boolean(options.json)).result({ ...describeApp(result.app), created: result.created, changed: result.changed, added_scopes: result.addedScopes, removed_scopes: result.removedScopes }, () => [
        result.created ? `registered ${result.app.key} (version 1)` : result.changed ? `updated ${result.app.key} to version ${result.app.version}` : `${result.app.key} is unchanged (version ${result.app.version})`,
        `  name      ${result.app.descriptor.name}`,
        `  owner     ${result.app.ownerUsername ?? '(none)'}`,
        `  baseUrl   ${result.app.descriptor.baseUrl}`,
        `  scopes    ${result.app.descriptor.scopes.join(' ') || '(none)'}`,
        ...(result.addedScopes.length > 0 && !result.created ? [`  new scopes in this version: ${result.addedScopes.join(' ')}`] : []),
      ])
    })

  descriptor
    .command('list')
    .description('List installed apps with their owner, version and installations')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const rows = await withLifecycle(async ({ db }) => {
        const apps = await listInstalledApps(db)
        const installations = await listInstallations(db)
        return apps.map((app) => ({ app, workspaces: installations.filter((i) => i.appId === app.appId).map((i) => (i.state === 'disabled' ? `${i.workspaceSlug} (disabled)` : i.workspaceSlug)) }))
      })
      output(Boolean(options.json)).result(
        rows.map(({ app, workspaces }) => ({ ...describeApp(app), installed_in: workspaces })),
        () => table(rows.map(({ app, workspaces }) => ({ key: app.key, name: app.descriptor.name, owner: app.ownerUsername ?? '', version: app.version, state: app.disabled ? 'disabled' : '', installed_in: workspaces.join(' ') })), ['key', 'name', 'owner', 'version', 'state', 'installed_in']),
      )
    })

  descriptor
    .command('deliveries <app-key>')
    .description("The app's lifecycle callback log, newest first")
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'print the result as JSON')
    .action(async (appKey: string, options: { limit: string; json?: boolean }) => {
      const limit = Number(options.limit)
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new BadRequestError('--limit must be a whole number from 1 to 1000')
      const rows = await withLifecycle(async ({ db }) => listDeliveries(db, (await getInstalledApp(db, appKey)).appId, limit))
      output(Boolean(options.json)).result(
        rows.map((d) => ({ ...d, createdAt: new Date(d.createdAt).toISOString(), finishedAt: d.finishedAt === null ? null : new Date(d.finishedAt).toISOString(), nextAttemptAt: d.nextAttemptAt === null ? null : new Date(d.nextAttemptAt).toISOString() })),
        () =>
          table(
            rows.map((d) => ({ when: new Date(d.createdAt).toISOString(), workspace: d.workspaceSlug, '#': d.sequence, event: d.event, state: d.state, attempts: d.attempts, status: d.lastStatus ?? '', error: d.lastError ?? '' })),
            ['when', 'workspace', '#', 'event', 'state', 'attempts', 'status', 'error'],
          ),
      )
    })

  return descriptor
}

export function installationCommands(): Command[] {
  const installCommand = new Command('install')
    .description('Install an app into a workspace (its installed callback must succeed); prints its clientKey and oauthClientId, never the shared secret')
    .argument('<app-key>')
    .requiredOption('--workspace <slug>', 'the workspace to install into')
    .requiredOption('--by <username>', 'the workspace owner (or administrator) installing it')
    .option('--json', 'print the result as JSON')
    .action(async (appKey: string, options: { workspace: string; by: string; json?: boolean }) => {
      const result = await withLifecycle(async ({ db, installations }) => {
        const actor = await findUserByUsername(db, options.by)
        if (!actor) throw new BadRequestError(`No user named "${options.by}"`)
        return install(installations, { appKey, workspaceSlug: options.workspace, actor: { id: actor.id, isAdmin: actor.is_admin === 1 } })
      })
      output(Boolean(options.json)).result(describeChange(result), () => [
        `installed ${result.app.key} in ${result.workspace.slug} (the app answered ${result.callback.status})`,
        `  clientKey       ${result.installation.clientKey}`,
        `  oauthClientId   ${result.installation.oauthClientId}`,
        ...(result.installation.previousClientKey ? [`  previousClientKey ${result.installation.previousClientKey} (sent to the app: the workspace was imported)`] : []),
      ])
    })

  installCommand
    .command('rotate-secret <app-key>')
    .description("Give an installation a new shared secret, sent in a signed installed callback; the old one keeps working for 24 hours")
    .requiredOption('--workspace <slug>', 'the workspace the app is installed in')
    .option('--json', 'print the result as JSON')
    .action(async (appKey: string, options: { workspace: string; json?: boolean }) => {
      const result = await withLifecycle(({ installations }) => rotateSharedSecret(installations, { appKey, workspaceSlug: options.workspace, actor: { id: null, isAdmin: true } }))
      output(Boolean(options.json)).result({ ...describeChange(result), previous_secret_expires_at: new Date(result.previousSecretExpiresAt).toISOString() }, () => [
        `rotated the shared secret of ${result.app.key} in ${result.workspace.slug}; the app accepted it`,
        `  the previous secret works until ${new Date(result.previousSecretExpiresAt).toISOString()}`,
      ])
    })

  installCommand
    .command('upgrade <app-key>')
    .description("Bring an installation to its app's current descriptor version; for a classic add-on, approvals of this installation that do not cover its new scopes end")
    .requiredOption('--workspace <slug>', 'the workspace the app is installed in')
    .option('--reconsent-grace <period>', "keep people's earlier approvals working with the old scopes for this long (e.g. 14d)")
    .option('--json', 'print the result as JSON')
    .action(async (appKey: string, options: { workspace: string; reconsentGrace?: string; json?: boolean }) => {
      const reconsentGraceMs = reconsentGraceOption(options.reconsentGrace)
      const result = await withLifecycle(({ installations }) => upgradeInstallation(installations, { appKey, workspaceSlug: options.workspace, actor: { id: null, isAdmin: true }, reconsentGraceMs }))
      output(Boolean(options.json)).result({ ...describeChange(result), from_version: result.fromVersion, to_version: result.app.version, approvals_ended: result.approvalsEnded, approvals_in_grace: result.approvalsInGrace }, () => [
        `upgraded ${result.app.key} in ${result.workspace.slug} from version ${result.fromVersion} to ${result.app.version}`,
        ...(result.approvalsEnded > 0 ? [`  ${result.approvalsEnded} approval(s) for fewer scopes ended; people are asked again`] : []),
        ...(result.approvalsInGrace > 0 ? [`  ${result.approvalsInGrace} approval(s) keep their old scopes for the grace period`] : []),
      ])
    })

  const changes = (['uninstall', 'disable', 'enable'] as const).map((action) =>
    new Command(action)
      .description(`${action[0].toUpperCase()}${action.slice(1)} an app in a workspace; its ${action === 'uninstall' ? 'uninstalled' : `${action}d`} callback is queued after any earlier one`)
      .argument('<app-key>')
      .requiredOption('--workspace <slug>', 'the workspace the app is installed in')
      .option('--json', 'print the result as JSON')
      .action(async (appKey: string, options: { workspace: string; json?: boolean }) => {
        const result = await withLifecycle(async ({ db, installations, deliverer }) => {
          const change = await changeInstallation(installations, action, { appKey, workspaceSlug: options.workspace, actor: { id: null, isAdmin: true } })
          // The change kicked a delivery pass; wait for it, so the answer says how the callback went.
          await deliverer.idle()
          const [last] = await listDeliveries(db, change.app.appId, 1)
          return { change, callback: last?.workspaceSlug === change.workspace.slug && last.clientKey === change.installation.clientKey ? last : undefined }
        })
        output(Boolean(options.json)).result({ ...describeChange(result.change), callback: result.callback ? { event: result.callback.event, state: result.callback.state, status: result.callback.lastStatus, error: result.callback.lastError } : null }, () => [
          `${result.change.installation.state} ${result.change.app.key} in ${result.change.workspace.slug}`,
          result.callback === undefined
            ? '  the app has no callback for this event'
            : result.callback.state === 'delivered'
              ? `  ${result.callback.event} callback delivered (the app answered ${result.callback.lastStatus})`
              : result.callback.state === 'pending' && result.callback.attempts === 0
                ? `  ${result.callback.event} callback queued behind earlier ones; a running server delivers it (gatehouse descriptor deliveries ${result.change.app.key})`
                : `  ${result.callback.event} callback ${result.callback.state}: ${result.callback.lastError ?? ''}; a running server retries it (gatehouse descriptor deliveries ${result.change.app.key})`,
        ])
      }),
  )

  const installationList = new Command('installation').description('Inspect installations')
  installationList
    .command('list')
    .description('List installations with their clientKey, oauthClientId and state')
    .option('--workspace <slug>', 'only this workspace')
    .option('--app <app-key>', 'only this app')
    .option('--ended', 'include uninstalled and removed ones (their identifiers are the lineage)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { workspace?: string; app?: string; ended?: boolean; json?: boolean }) => {
      const rows = await withLifecycle(async ({ db }) => {
        const appId = options.app === undefined ? undefined : (await getInstalledApp(db, options.app)).appId
        const all = await listInstallations(db, { appId, includeEnded: options.ended })
        return options.workspace === undefined ? all : all.filter((i) => i.workspaceSlug === options.workspace)
      })
      output(Boolean(options.json)).result(
        rows.map((i) => ({ app: i.appKey, workspace: i.workspaceSlug, state: i.state, client_key: i.clientKey, oauth_client_id: i.oauthClientId, previous_client_key: i.previousClientKey, installed_by: i.installedByUsername, installed_at: new Date(i.createdAt).toISOString(), ended_at: i.endedAt === null ? null : new Date(i.endedAt).toISOString() })),
        () => table(rows.map((i) => ({ app: i.appKey, workspace: i.workspaceSlug, state: i.state, clientKey: i.clientKey, oauthClientId: i.oauthClientId, installed: new Date(i.createdAt).toISOString().slice(0, 19) })), ['app', 'workspace', 'state', 'clientKey', 'oauthClientId', 'installed']),
      )
    })

  return [installCommand, ...changes, installationList]
}

async function descriptorSource(location: string): Promise<DescriptorSource> {
  if (/^https?:\/\//i.test(location)) return { url: location }
  let text: string
  try {
    text = await readFile(location, 'utf8')
  } catch (error) {
    throw new BadRequestError(`cannot read the descriptor file ${location} (${(error as NodeJS.ErrnoException).code ?? 'error'}); give a file path or an http(s) URL`)
  }
  try {
    return { document: JSON.parse(text) as unknown }
  } catch (error) {
    throw new BadRequestError(`the descriptor file ${location} is not JSON: ${(error as Error).message}`)
  }
}

function describeApp(app: InstalledApp) {
  return { key: app.key, name: app.descriptor.name, owner: app.ownerUsername, version: app.version, base_url: app.descriptor.baseUrl, scopes: app.descriptor.scopes, approval: app.descriptor.approval, source_url: app.sourceUrl, disabled: app.disabled }
}

function describeChange(change: InstallationChange) {
  const i = change.installation
  return { app: change.app.key, workspace: change.workspace.slug, state: i.state, clientKey: i.clientKey, oauthClientId: i.oauthClientId, previousClientKey: i.previousClientKey, installedAt: new Date(i.createdAt).toISOString() }
}
