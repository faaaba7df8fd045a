import type { Insertable } from 'kysely'
import type { Db } from '../store/database.js'
import type { ConnectKeyTable } from '../store/schema.js'

/** The key that signs: the newest one not retired (two processes starting together may each have made one). */
export function findSigningKey(db: Db) {
  return db
    .selectFrom('connect_keys')
    .selectAll()
    .where('retired_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .limit(1)
    .executeTakeFirst()
}

/** Keys published at `now`: the one that signs and retired ones still in their grace period. */
export function listPublishedKeys(db: Db, now: number) {
  return db
    .selectFrom('connect_keys')
    .select(['kid', 'alg', 'public_jwk', 'created_at', 'retired_at', 'expires_at'])
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .execute()
}

export async function insertKey(db: Db, row: Insertable<ConnectKeyTable>): Promise<void> {
  await db.insertInto('connect_keys').values(row).execute()
}

/**
 * Retires every key that signs (with `olderThan`, only those before it in the signing order) at `at`:
 * it stays published until `expiresAt`, and its private part is deleted now, since nothing signs
 * with it any more. Returns the kids retired.
 */
export async function retireSigningKeys(db: Db, at: number, expiresAt: number, olderThan?: { created_at: number; kid: string }): Promise<string[]> {
  let signing = db.selectFrom('connect_keys').select('kid').where('retired_at', 'is', null)
  if (olderThan) {
    signing = signing.where((eb) =>
      eb.or([eb('created_at', '<', olderThan.created_at), eb.and([eb('created_at', '=', olderThan.created_at), eb('kid', '<', olderThan.kid)])]),
    )
  }
  const kids = (await signing.execute()).map((row) => row.kid)
  if (kids.length === 0) return []
  await db
    .updateTable('connect_keys')
    .set({ retired_at: at, expires_at: expiresAt, private_key_sealed: null, kek_id: null })
    .where('kid', 'in', kids)
    .where('retired_at', 'is', null)
    .execute()
  return kids
}

export async function deleteExpiredKeys(db: Db, now: number): Promise<void> {
  await db.deleteFrom('connect_keys').where('expires_at', '<=', now).execute()
}

export function listSealedKeys(db: Db) {
  return db.selectFrom('connect_keys').select(['kid', 'kek_id', 'private_key_sealed']).where('private_key_sealed', 'is not', null).execute()
}

/** Moves one sealed key to another KEK; false if it changed meanwhile (another rewrap, or it was retired). */
export async function replaceSealedKey(db: Db, kid: string, fromKekId: string, sealed: { kekId: string; sealed: string }): Promise<boolean> {
  const result = await db
    .updateTable('connect_keys')
    .set({ private_key_sealed: sealed.sealed, kek_id: sealed.kekId })
    .where('kid', '=', kid)
    .where('kek_id', '=', fromKekId)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export function listAllKeys(db: Db) {
  return db
    .selectFrom('connect_keys')
    .select(['kid', 'alg', 'kek_id', 'created_at', 'retired_at', 'expires_at'])
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .execute()
}
