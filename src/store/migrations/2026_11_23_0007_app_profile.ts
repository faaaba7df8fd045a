import type { Kysely } from 'kysely'

// What the console and the consent page show of an app beside its name: a description, its homepage,
// whether an administrator has verified it (null: unverified), and the workspace it belongs to, whose
// administrators manage it with its owner (null: a personal app).

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('apps').addColumn('description', 'text', (c) => c.notNull().defaultTo('')).execute()
  await db.schema.alterTable('apps').addColumn('homepage_url', 'text').execute()
  await db.schema.alterTable('apps').addColumn('verified_at', 'bigint').execute()
  await db.schema.alterTable('apps').addColumn('workspace_id', 'text', (c) => c.references('workspaces.id').onDelete('set null')).execute()
  await db.schema.createIndex('apps_workspace').on('apps').column('workspace_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('apps_workspace').execute()
  await db.schema.alterTable('apps').dropColumn('workspace_id').execute()
  await db.schema.alterTable('apps').dropColumn('verified_at').execute()
  await db.schema.alterTable('apps').dropColumn('homepage_url').execute()
  await db.schema.alterTable('apps').dropColumn('description').execute()
}
