import type { Insertable } from 'kysely'
import type { Db } from '../store/database.js'
import type { SigningKeyTable } from '../store/schema.js'

/** Keys in JWKS at `now`: the signing key, keys scheduled to sign, and retired keys whose tokens may still be live. */
export function listPublishedKeys(db: Db, now: number) {
  return db
    .selectFrom('signing_keys')
    .selectAll()
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('activates_at', 'desc')
    .execute()
}

export async function insertKey(db: Db, row: Insertable<SigningKeyTable>): Promise<void> {
  await db.insertInto('signing_keys').values(row).execute()
}

/** Every key that would still sign at `at` stops then, and leaves JWKS at `expiresAt`. */
export async function scheduleRetirement(db: Db, at: number, expiresAt: number): Promise<void> {
  await db
    .updateTable('signing_keys')
    .set({ retired_at: at, expires_at: expiresAt })
    .where((eb) => eb.or([eb('retired_at', 'is', null), eb('retired_at', '>', at)]))
    .execute()
}

/** Keys whose private part is still in plaintext (made before keys were sealed). */
export function listPlaintextKeys(db: Db) {
  return db.selectFrom('signing_keys').select(['kid', 'private_jwk', 'retired_at']).where('private_jwk', 'is not', null).execute()
}

/** Replaces a plaintext private key by its sealed form; false if another process did it first. */
export async function sealPlaintextKey(db: Db, kid: string, sealed: { kekId: string; sealed: string }): Promise<boolean> {
  const result = await db
    .updateTable('signing_keys')
    .set({ private_key_sealed: sealed.sealed, kek_id: sealed.kekId, private_jwk: null })
    .where('kid', '=', kid)
    .where('private_jwk', 'is not', null)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

export function listSealedKeys(db: Db) {
  return db.selectFrom('signing_keys').select(['kid', 'kek_id', 'private_key_sealed']).where('private_key_sealed', 'is not', null).execute()
}

/** Moves one sealed key to another KEK; false if it changed meanwhile (another rewrap, or it was retired). */
export async function replaceSealedKey(db: Db, kid: string, fromKekId: string, sealed: { kekId: string; sealed: string }): Promise<boolean> {
  const result = await db
    .updateTable('signing_keys')
    .set({ private_key_sealed: sealed.sealed, kek_id: sealed.kekId })
    .where('kid', '=', kid)
    .where('kek_id', '=', fromKekId)
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Deletes the private parts of keys that stopped signing before `before`: nothing needs them any more. */
export async function forgetRetiredPrivateKeys(db: Db, before: number): Promise<number> {
  const result = await db
    .updateTable('signing_keys')
    .set({ private_key_sealed: null, kek_id: null, private_jwk: null })
    .where('retired_at', '<=', before)
    .where((eb) => eb.or([eb('private_key_sealed', 'is not', null), eb('private_jwk', 'is not', null)]))
    .executeTakeFirst()
  return Number(result.numUpdatedRows)
}

export function listAllKeys(db: Db) {
  return db
    .selectFrom('signing_keys')
    .select(['kid', 'alg', 'kek_id', 'private_key_sealed', 'private_jwk', 'created_at', 'activates_at', 'retired_at', 'expires_at'])
    .orderBy('activates_at', 'desc')
    .execute()
}
