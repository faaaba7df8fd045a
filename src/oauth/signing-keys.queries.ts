import type { Insertable } from 'kysely'
import type { Db } from '../store/database.js'
import type { SigningKeyTable } from '../store/schema.js'

export function listPublishedKeys(db: Db, now: number) {
  return db
    .selectFrom('signing_keys')
    .selectAll()
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .execute()
}

export async function insertKey(db: Db, row: Insertable<SigningKeyTable>): Promise<void> {
  await db.insertInto('signing_keys').values(row).execute()
}

export async function retireActiveKeys(db: Db, now: number, expiresAt: number): Promise<void> {
  await db
    .updateTable('signing_keys')
    .set({ retired_at: now, expires_at: expiresAt })
    .where('retired_at', 'is', null)
    .execute()
}

export function listAllKeys(db: Db) {
  return db.selectFrom('signing_keys').select(['kid', 'alg', 'created_at', 'retired_at', 'expires_at']).orderBy('created_at', 'desc').execute()
}
