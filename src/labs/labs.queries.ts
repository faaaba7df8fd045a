import type { Db } from '../store/database.js'

/** The flags an account has on, with when each was turned on. */
export function listEnabledFlags(db: Db, userId: string) {
  return db.selectFrom('feature_flags').select(['flag', 'enabled_at']).where('user_id', '=', userId).execute()
}

/** Which of these (account, flag) pairs are on, in one query. */
export function heldFlags(db: Db, wanted: readonly { userId: string; flag: string }[]) {
  return db
    .selectFrom('feature_flags')
    .select(['user_id', 'flag'])
    .where((eb) => eb.or(wanted.map((w) => eb.and([eb('user_id', '=', w.userId), eb('flag', '=', w.flag)]))))
    .execute()
}

/** Turns a flag on; already on, it keeps its first `enabled_at`. */
export async function insertFlag(db: Db, userId: string, flag: string, now: number): Promise<void> {
  await db.insertInto('feature_flags').values({ user_id: userId, flag, enabled_at: now }).onConflict((oc) => oc.columns(['user_id', 'flag']).doNothing()).execute()
}

export async function deleteFlag(db: Db, userId: string, flag: string): Promise<void> {
  await db.deleteFrom('feature_flags').where('user_id', '=', userId).where('flag', '=', flag).execute()
}
