import type { FastifyInstance } from 'fastify'
import { decide } from '../../src/consent/decisions.service.js'
import { createWorkspace } from '../../src/platform/index.js'
import { addClient, issueCode, redeem, type TestClient } from '../oauth/fixtures.js'
import { addDescriptorApp, installApp, type InstalledAppFixture } from '../support/installed-app.js'
import { insertUser } from '../web/fixtures.js'

/**
 * Decisions as people leave them, for the App authorizations and admin decisions pages: through the
 * consent service (`decide`), with the tokens an approval leads to issued through the real token
 * endpoint from a grant the authorize step would have made.
 */
export async function person(app: FastifyInstance, username: string, displayName?: string): Promise<{ id: string; username: string }> {
  const user = await insertUser(app, username)
  if (displayName) await app.db.updateTable('users').set({ display_name: displayName }).where('id', '=', user.id).execute()
  return { id: user.id, username }
}

export async function workspace(app: FastifyInstance, slug: string, name: string, memberIds: string[]) {
  return createWorkspace(app.db, app.clock, { slug, name, members: memberIds.map((userId, i) => ({ userId, role: i === 0 ? 'owner' : 'member' })) })
}

/** An OAuth app published by `ownerId`. */
export function oauthApp(app: FastifyInstance, name: string, ownerId: string | null, scopes = ['account', 'repository', 'issue', 'issue:write']): Promise<TestClient> {
  return addClient(app, { name, ownerId, scopes })
}

export async function allowOAuth(app: FastifyInstance, userId: string, client: TestClient, scopes: string[], workspaces: string[] | null = null): Promise<string> {
  return (await decide(app.consent, { userId, app: { id: client.app.id, ownerId: client.app.ownerId }, installationId: null, perInstallation: false, decision: 'allow', scopes, workspaces })).id
}

export async function denyOAuth(app: FastifyInstance, userId: string, client: TestClient, scopes: string[]): Promise<string> {
  return (await decide(app.consent, { userId, app: { id: client.app.id, ownerId: client.app.ownerId }, installationId: null, perInstallation: false, decision: 'deny', scopes })).id
}

/** A classic add-on (approval per installation) installed in the workspace, and the user's answer about that installation. */
export async function classicAddOn(app: FastifyInstance, key: string, ownerId: string | null, where: { id: string; slug: string }): Promise<InstalledAppFixture> {
  const descriptorApp = await addDescriptorApp(app, key, ['repository', 'act_as_user'], ownerId)
  return installApp(app, descriptorApp, where)
}

export async function decideInstallation(app: FastifyInstance, userId: string, installation: InstalledAppFixture, decision: 'allow' | 'deny', scopes: string[]): Promise<string> {
  return (await decide(app.consent, { userId, app: { id: installation.app.id, ownerId: null }, installationId: installation.installationId, perInstallation: true, decision, scopes })).id
}

/** Tokens under an approval: the grant and code the authorize step makes, redeemed at the token endpoint. */
export async function tokensUnder(app: FastifyInstance, client: TestClient, userId: string, scope: string): Promise<{ accessToken: string; refreshToken: string }> {
  const { code } = await issueCode(app, client.app, userId, { scope })
  const response = await redeem(app, client, code)
  if (response.statusCode !== 200) throw new Error(`token exchange failed: ${response.statusCode} ${response.body}`)
  const body = response.json() as { access_token: string; refresh_token: string }
  return { accessToken: body.access_token, refreshToken: body.refresh_token }
}
