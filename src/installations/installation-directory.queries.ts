import type { Db } from '../store/database.js'
import { LIVE_STATES } from './installation.js'

/** An installation with what verifying its app's requests needs: the backing app, the workspace's slug, the descriptor. */
function installationsWithApp(db: Db) {
  return db
    .selectFrom('installations')
    .innerJoin('apps', 'apps.id', 'installations.app_id')
    .innerJoin('workspaces', 'workspaces.id', 'installations.workspace_id')
    .leftJoin('descriptors', 'descriptors.app_id', 'installations.app_id')
    .selectAll('installations')
    .select([
      'apps.client_id as app_key',
      'apps.scopes as app_scopes',
      'apps.disabled_at as app_disabled_at',
      'workspaces.slug as workspace_slug',
      'descriptors.document as descriptor_document',
    ])
}

export type InstallationWithAppRow = Awaited<ReturnType<ReturnType<typeof installationsWithApp>['executeTakeFirstOrThrow']>>

/**
 * The live installations an app JWT's issuer can name: `iss` is the clientKey (Connect's form), or
 * `iss` is the app key and `sub` the clientKey (Bitbucket Connect's). Both are looked for at once,
 * so nothing has to guess which form a token uses; the signature decides between candidates.
 */
export function findLiveInstallationsByIssuer(db: Db, iss: string, sub: string | undefined): Promise<InstallationWithAppRow[]> {
  return installationsWithApp(db)
    .where('installations.state', 'in', [...LIVE_STATES])
    .where((eb) =>
      sub === undefined
        ? eb('installations.client_key', '=', iss)
        : eb.or([eb('installations.client_key', '=', iss), eb.and([eb('apps.client_id', '=', iss), eb('installations.client_key', '=', sub)])]),
    )
    .execute()
}

/** The installation that was given this oauthClientId, in whatever state it is now (ended ones too). */
export function findInstallationByOauthClientId(db: Db, oauthClientId: string): Promise<InstallationWithAppRow | undefined> {
  return installationsWithApp(db).where('installations.oauth_client_id', '=', oauthClientId).executeTakeFirst()
}

/** The app's live installation in a workspace, if any (there is at most one). */
export function findLiveInstallationOf(db: Db, appId: string, workspaceId: string): Promise<InstallationWithAppRow | undefined> {
  return installationsWithApp(db)
    .where('installations.app_id', '=', appId)
    .where('installations.workspace_id', '=', workspaceId)
    .where('installations.state', 'in', [...LIVE_STATES])
    .executeTakeFirst()
}

/** The installation whose grant issued this refresh token (by its hash); null for a grant of no installation. */
export async function findInstallationOfRefreshToken(db: Db, tokenHash: string): Promise<string | null | undefined> {
  const row = await db
    .selectFrom('refresh_tokens')
    .innerJoin('grants', 'grants.id', 'refresh_tokens.grant_id')
    .select('grants.installation_id')
    .where('refresh_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst()
  return row === undefined ? undefined : row.installation_id
}
