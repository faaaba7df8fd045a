import type { Kysely } from 'kysely'

// sessions.ip_address, sessions.user_agent: where a session was last used, for listing sessions to
// their owner. Nullable: sessions started before this migration have none recorded.
// Indexes: the hourly prune deletes on expires_at (absolute end) and last_seen_at (idle end);
// sign-in and disabling an account find a user's sessions by user_id.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('ip_address', 'text').execute()
  await db.schema.alterTable('sessions').addColumn('user_agent', 'text').execute()
  await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute()
  await db.schema.createIndex('sessions_last_seen').on('sessions').column('last_seen_at').execute()
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('sessions_user').execute()
  await db.schema.dropIndex('sessions_last_seen').execute()
  await db.schema.dropIndex('sessions_expires').execute()
  await db.schema.alterTable('sessions').dropColumn('user_agent').execute()
  await db.schema.alterTable('sessions').dropColumn('ip_address').execute()
}
