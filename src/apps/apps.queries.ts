import type { Insertable } from 'kysely'
import type { Db } from '../store/database.js'
import type { AppSecretTable, NewApp } from '../store/schema.js'
import { toApp, type App } from './app.js'

/** The app with this client_id, disabled ones included (callers decide what disabled means). */
export async function findAppByClientId(db: Db, clientId: string): Promise<App | undefined> {
  const row = await db
    .selectFrom('apps')
    .leftJoin('users as owner', 'owner.id', 'apps.owner_id')
    .selectAll('apps')
    .select('owner.disabled_at as owner_disabled_at')
    .where('apps.client_id', '=', clientId)
    .executeTakeFirst()
  return row ? toApp(row) : undefined
}

export async function listApps(db: Db): Promise<App[]> {
  const rows = await db.selectFrom('apps').selectAll().orderBy('created_at').orderBy('client_id').execute()
  return rows.map(toApp)
}

export async function insertApp(db: Db, row: NewApp): Promise<void> {
  await db.insertInto('apps').values(row).execute()
}

export async function insertAppSecret(db: Db, row: Insertable<AppSecretTable>): Promise<void> {
  await db.insertInto('app_secrets').values(row).execute()
}

/** Secrets that still work at `now`: the current one and any in their rotation grace period. */
export function listLiveSecrets(db: Db, appId: string, now: number) {
  return db
    .selectFrom('app_secrets')
    .select(['id', 'secret_hash', 'expires_at'])
    .where('app_id', '=', appId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .execute()
}

/** Ends every secret of the app at `at`, except those already ending sooner. */
export async function expireSecrets(db: Db, appId: string, at: number): Promise<void> {
  await db
    .updateTable('app_secrets')
    .set({ expires_at: at })
    .where('app_id', '=', appId)
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
    .execute()
}

export async function deleteSecretsExpiredBefore(db: Db, appId: string, before: number): Promise<void> {
  await db.deleteFrom('app_secrets').where('app_id', '=', appId).where('expires_at', '<=', before).execute()
}

export async function setAppDisabledAt(db: Db, appId: string, disabledAt: number | null, now: number): Promise<void> {
  await db.updateTable('apps').set({ disabled_at: disabledAt, updated_at: now }).where('id', '=', appId).execute()
}

export async function setAppVerifiedAt(db: Db, appId: string, verifiedAt: number | null, now: number): Promise<void> {
  await db.updateTable('apps').set({ verified_at: verifiedAt, updated_at: now }).where('id', '=', appId).execute()
}

/** Writes an app's editable settings (`updateApp` checked them). */
export async function updateAppSettings(
  db: Db,
  appId: string,
  settings: Pick<NewApp, 'name' | 'description' | 'redirect_uris' | 'homepage_url' | 'scopes' | 'owner_id' | 'workspace_id' | 'updated_at'>,
): Promise<void> {
  await db.updateTable('apps').set(settings).where('id', '=', appId).execute()
}

export async function workspaceExists(db: Db, workspaceId: string): Promise<boolean> {
  return (await db.selectFrom('workspaces').select('id').where('id', '=', workspaceId).executeTakeFirst()) !== undefined
}

/** The redirect URIs of every enabled app, for the CORS origins browser apps may call from. */
export function listEnabledRedirectUris(db: Db) {
  return db.selectFrom('apps').select(['client_id', 'redirect_uris']).where('disabled_at', 'is', null).execute()
}

/** The client_ids of the apps `userId` owns. */
export async function listAppsOwnedBy(db: Db, userId: string): Promise<{ id: string; clientId: string; name: string }[]> {
  const rows = await db.selectFrom('apps').select(['id', 'client_id', 'name']).where('owner_id', '=', userId).orderBy('created_at').execute()
  return rows.map((r) => ({ id: r.id, clientId: r.client_id, name: r.name }))
}

/** Deletes the app; its secrets, grants, codes and refresh tokens go with it (on delete cascade). */
export async function deleteAppRow(db: Db, appId: string): Promise<void> {
  await db.deleteFrom('apps').where('id', '=', appId).execute()
}
