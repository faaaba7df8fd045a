import { sql, type Kysely } from 'kysely'

// Consent as a stored decision: a user's allow or deny of an app, for every installation of it (shared
// apps, OAuth apps) or for one installation (classic add-ons, `installation_id` set). An approval
// records the scopes allowed and, for an OAuth app, the workspaces chosen (null: all); a re-consent
// grace period ends it at `grace_ends_at` unless renewed. Grants remember the workspaces (by slug) they reach.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('consent_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('installation_id', 'text', (c) => c.references('installations.id').onDelete('cascade'))
    .addColumn('decision', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('workspace_slugs', 'text')
    .addColumn('grace_ends_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute()
  // One decision per user and app (and installation, for classic add-ons).
  await sql`create unique index consent_decisions_subject on consent_decisions (user_id, app_id, coalesce(installation_id, ''))`.execute(db)
  await db.schema.createIndex('consent_decisions_app').on('consent_decisions').columns(['app_id', 'decision']).execute()
  await db.schema.createIndex('consent_decisions_grace').on('consent_decisions').column('grace_ends_at').execute()
  await db.schema.alterTable('grants').addColumn('workspace_slugs', 'text').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('grants').dropColumn('workspace_slugs').execute()
  await db.schema.dropIndex('consent_decisions_grace').execute()
  await db.schema.dropIndex('consent_decisions_app').execute()
  await db.schema.dropIndex('consent_decisions_subject').execute()
  await db.schema.dropTable('consent_decisions').execute()
}
