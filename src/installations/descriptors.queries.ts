import type { Insertable, Updateable } from 'kysely'
import type { Db } from '../store/database.js'
import type { AppTable, DescriptorTable } from '../store/schema.js'

/** A descriptor with what the console and the CLI show beside it: its backing app and owner. */
export function descriptorRows(db: Db) {
  return db
    .selectFrom('descriptors')
    .innerJoin('apps', 'apps.id', 'descriptors.app_id')
    .leftJoin('users as owner', 'owner.id', 'apps.owner_id')
    .select([
      'descriptors.app_id',
      'descriptors.key',
      'descriptors.document',
      'descriptors.source_url',
      'descriptors.version',
      'descriptors.created_at',
      'descriptors.updated_at',
      'apps.name',
      'apps.owner_id',
      'apps.disabled_at',
      'apps.scopes',
      'owner.username as owner_username',
    ])
}

export type DescriptorJoinedRow = Awaited<ReturnType<ReturnType<typeof descriptorRows>['executeTakeFirstOrThrow']>>

export function findDescriptorByKey(db: Db, key: string) {
  return descriptorRows(db).where('descriptors.key', '=', key).executeTakeFirst()
}

export function listDescriptorRows(db: Db, ownerId?: string) {
  let query = descriptorRows(db)
  if (ownerId !== undefined) query = query.where('apps.owner_id', '=', ownerId)
  return query.orderBy('descriptors.key').execute()
}

export async function findAppIdByClientId(db: Db, clientId: string): Promise<string | undefined> {
  const row = await db.selectFrom('apps').select('id').where('client_id', '=', clientId).executeTakeFirst()
  return row?.id
}

export async function insertDescriptorApp(db: Db, app: Insertable<AppTable>, descriptor: Insertable<DescriptorTable>): Promise<void> {
  await db.insertInto('apps').values(app).execute()
  await db.insertInto('descriptors').values(descriptor).execute()
}

export async function updateDescriptor(
  db: Db,
  appId: string,
  app: Pick<Updateable<AppTable>, 'name' | 'description' | 'homepage_url' | 'scopes' | 'updated_at'>,
  descriptor: Pick<DescriptorTable, 'document' | 'source_url' | 'version' | 'updated_at'>,
): Promise<void> {
  await db.updateTable('apps').set(app).where('id', '=', appId).execute()
  await db.updateTable('descriptors').set(descriptor).where('app_id', '=', appId).execute()
}
