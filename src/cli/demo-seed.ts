import { createApp } from '../apps/apps.service.js'
import { DEMO_VENDOR_KEY, demoVendorDescriptor } from '../demo-vendor/index.js'
import { generatePassword } from '../domain/password.js'
import { loadApiDescription } from '../gateway/api-description.js'
import { registerDescriptor } from '../installations/descriptors.service.js'
import { appRequestPolicy } from '../installations/lifecycle.js'
import { sampleApi } from '../platform/openapi.js'
import { createIssue, createRepository, createWorkspace } from '../platform/index.js'
import { countUsers, createUser } from '../users/users.service.js'
import type { Clock } from '../domain/clock.js'
import type { SecretFormat } from '../domain/opaque-token.js'
import type { ScopeDefinition } from '../domain/scopes.js'
import { inTransaction, type Db } from '../store/database.js'
import type { CommandContext } from './context.js'

export interface DemoSeed {
  admin: { username: string; password: string }
  user: { username: string; password: string }
  workspace: string
  repository: string
  app: { clientId: string; clientSecret: string; redirectUri: string; scopes: string[] }
  /** The demo vendor's installed app (served at /demo-vendor), registered for the user to install into the workspace. */
  installedApp: { key: string; descriptorUrl: string }
}

export const DEMO_REDIRECT_URI = 'http://127.0.0.1:9876/callback'

// The rule lives in domain/ so config.ts can default GATEHOUSE_PLAYGROUND to it.
export { demoSeedDecision, type DemoSeedDecision } from '../domain/demo-seed-policy.js'

/**
 * On an empty database: an admin, a user, a workspace with a repository and an
 * issue, and a confidential demo app owned by the user. Passwords and the
 * secret are generated, returned once and stored only as hashes.
 */
export async function seedDemoIfEmpty({ config, db: store, clock, secrets }: CommandContext): Promise<DemoSeed | undefined> {
  const { scopes } = await loadApiDescription(config, sampleApi)
  // All or nothing: a seed that failed halfway would leave users, and so never run again.
  return inTransaction(store, (db) => seed(db, clock, scopes, secrets, config))
}

/**
 * The demo vendor is served under the issuer of this start; if it changed since the seed (another
 * PORT or GATEHOUSE_ISSUER), the registered descriptor would send callbacks to the old address. A
 * new version with the current baseUrl fixes that; installations keep their secrets.
 */
export async function refreshDemoDescriptor({ config, db, clock }: CommandContext): Promise<boolean> {
  const registered = await db.selectFrom('descriptors').innerJoin('apps', 'apps.id', 'descriptors.app_id').select(['descriptors.document', 'apps.owner_id']).where('descriptors.key', '=', DEMO_VENDOR_KEY).executeTakeFirst()
  const descriptor = demoVendorDescriptor(config.issuer)
  if (!registered || registered.owner_id === null || (JSON.parse(registered.document) as { baseUrl: string }).baseUrl === descriptor.baseUrl) return false
  const { scopes } = await loadApiDescription(config, sampleApi)
  const requests = appRequestPolicy(config)
  await registerDescriptor({ db, clock, scopeNames: scopes.map((s) => s.name), allowInsecureBaseUrl: requests.allowLoopback, requests }, { document: descriptor }, { ownerId: registered.owner_id, isAdmin: true })
  return true
}

async function seed(db: Db, clock: Clock, scopes: ScopeDefinition[], secrets: SecretFormat, config: CommandContext['config']): Promise<DemoSeed | undefined> {
  if ((await countUsers(db)) > 0) return undefined
  const adminPassword = generatePassword()
  const userPassword = generatePassword()
  const admin = await createUser(db, clock, { username: 'admin', password: adminPassword, isAdmin: true, displayName: 'Demo admin' })
  const user = await createUser(db, clock, { username: 'demo', password: userPassword, displayName: 'Demo user' })
  const workspace = await createWorkspace(db, clock, {
    slug: 'demo',
    name: 'Demo workspace',
    members: [{ userId: user.id, role: 'owner' }, { userId: admin.id, role: 'member' }],
  })
  const repository = await createRepository(db, clock, { workspaceId: workspace.id, slug: 'hello-world', name: 'Hello world', description: 'A repository to try the API on', isPrivate: true })
  await createIssue(db, clock, { repositoryId: repository.id, reporterId: user.id, title: 'Try the API', content: 'Call GET /2.0/repositories/demo/hello-world/issues with a token.' })
  const { app, clientSecret } = await createApp(db, clock, scopes, {
    name: 'Demo app',
    redirectUris: [DEMO_REDIRECT_URI],
    grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    // Granular scopes only: the demo shows apps as they should be written now, not the deprecated classic ones.
    scopes: scopes.filter((s) => s.replacedBy === undefined).map((s) => s.name),
    ownerId: user.id,
    createdVia: 'seed',
  }, secrets)
  // Published by the admin, not the demo user: an app its own publisher uses is personal and never asks,
  // and the demo should show the consent dialog. Nothing is installed yet: installing sends the signed
  // installed callback, which needs the server listening.
  const requests = appRequestPolicy(config)
  const descriptor = demoVendorDescriptor(config.issuer)
  await registerDescriptor({ db, clock, scopeNames: scopes.map((s) => s.name), allowInsecureBaseUrl: requests.allowLoopback, requests }, { document: descriptor }, { ownerId: admin.id, isAdmin: true })
  return {
    admin: { username: admin.username, password: adminPassword },
    user: { username: user.username, password: userPassword },
    workspace: 'demo',
    repository: 'hello-world',
    app: { clientId: app.clientId, clientSecret: clientSecret!, redirectUri: DEMO_REDIRECT_URI, scopes: app.scopes },
    installedApp: { key: DEMO_VENDOR_KEY, descriptorUrl: `${descriptor.baseUrl}/descriptor.json` },
  }
}
