import { sql, type Kysely } from 'kysely'

// apps.is_resource_server: an app that may introspect any token (RFC 7662 §1), set only by an operator.
// revocations.issued_before, revocations.version: revocations of kind `user` and `app` cover every token
//   of that subject issued at or before `issued_before` (one row per subject, updated in place, `version`
//   ordering its updates: a disable is "everything", the re-enable after it lowers that to "before now").
// refresh_tokens.successor_sealed: the successor of a used refresh token, sealed under a key only the
//   used token yields, so a retry inside the reuse grace window gets the same successor back.
// Indexes: disabling or deleting an account finds its grants by user_id, and the apps it owns by owner_id;
// the hourly prune clears sealed successors past their window (few rows hold one: a partial index).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('apps').addColumn('is_resource_server', 'integer', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('revocations').addColumn('issued_before', 'bigint').execute()
  await db.schema.alterTable('revocations').addColumn('version', 'bigint', (c) => c.notNull().defaultTo(0)).execute()
  await db.schema.alterTable('refresh_tokens').addColumn('successor_sealed', 'text').execute()
  await db.schema.createIndex('refresh_tokens_sealed').on('refresh_tokens').column('used_at').where(sql.ref('successor_sealed'), 'is not', null).execute()
  await db.schema.createIndex('grants_user').on('grants').column('user_id').execute()
  await db.schema.createIndex('apps_owner').on('apps').column('owner_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('apps_owner').execute()
  await db.schema.dropIndex('grants_user').execute()
  await db.schema.dropIndex('refresh_tokens_sealed').execute()
  await db.schema.alterTable('refresh_tokens').dropColumn('successor_sealed').execute()
  // Subject revocations mean nothing without their cutoff; the rows go with the columns.
  await db.deleteFrom('revocations').where('kind', 'in', ['user', 'app', 'app_changed']).execute()
  await db.schema.alterTable('revocations').dropColumn('version').execute()
  await db.schema.alterTable('revocations').dropColumn('issued_before').execute()
  await db.schema.alterTable('apps').dropColumn('is_resource_server').execute()
}
