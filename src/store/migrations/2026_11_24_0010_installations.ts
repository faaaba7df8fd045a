import { sql, type Kysely } from 'kysely'

// Installed apps. A descriptor is an app the vendor describes (its backing `apps` row carries the
// name, owner and scopes, so tokens, disabling and the console work as for any app); an installation
// puts it into a workspace, with a clientKey stable per app × tenant, a shared secret sealed at rest
// (context `installations:<id>`), an oauthClientId of its own, and an app account (`users.kind =
// 'app'`) that is the installation's identity inside the workspace. Ended installations stay, with
// their identifiers, for lineage and stale-identifier checks.
//
// A workspace's tenant changes when it is imported as a new tenant (`workspace import`) and not when
// a backup is restored; `previous_tenant_id` is where an import came from.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('workspaces').addColumn('tenant_id', 'text').execute()
  await db.schema.alterTable('workspaces').addColumn('previous_tenant_id', 'text').execute()
  await sql`update workspaces set tenant_id = id`.execute(db)
  await db.schema.alterTable('users').addColumn('kind', 'text', (c) => c.notNull().defaultTo('person')).execute()

  await db.schema
    .createTable('descriptors')
    .addColumn('app_id', 'text', (c) => c.primaryKey().references('apps.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('source_url', 'text')
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute()

  await db.schema
    .createTable('installations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id').onDelete('cascade'))
    .addColumn('tenant_id', 'text', (c) => c.notNull())
    .addColumn('client_key', 'text', (c) => c.notNull())
    .addColumn('oauth_client_id', 'text', (c) => c.notNull().unique())
    .addColumn('app_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('shared_secret_sealed', 'text')
    .addColumn('kek_id', 'text')
    .addColumn('previous_secret_sealed', 'text')
    .addColumn('previous_kek_id', 'text')
    .addColumn('previous_secret_expires_at', 'bigint')
    .addColumn('previous_client_key', 'text')
    .addColumn('descriptor_version', 'integer', (c) => c.notNull())
    .addColumn('installed_by', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('ended_at', 'bigint')
    .execute()
  await db.schema.createIndex('installations_app_workspace').on('installations').columns(['app_id', 'workspace_id']).execute()
  // One installation of an app per workspace at a time; 'installing' holds the place while the app is asked.
  await sql`create unique index installations_one_live on installations (app_id, workspace_id) where state in ('installing', 'installed', 'disabled')`.execute(db)
  await db.schema.createIndex('installations_client_key').on('installations').column('client_key').execute()
  await db.schema.createIndex('installations_tenant').on('installations').columns(['tenant_id', 'app_id']).execute()

  await db.schema
    .createTable('callback_deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('installation_id', 'text', (c) => c.notNull().references('installations.id').onDelete('cascade'))
    .addColumn('sequence', 'integer', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addUniqueConstraint('callback_deliveries_order', ['installation_id', 'sequence'])
    .execute()
  await db.schema.createIndex('callback_deliveries_due').on('callback_deliveries').columns(['state', 'next_attempt_at']).execute()

  await db.schema
    .createTable('enforcements')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('percent', 'integer', (c) => c.notNull())
    .addColumn('cohort', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('enforcement_changes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('percent', 'integer', (c) => c.notNull())
    .addColumn('cohort', 'text', (c) => c.notNull())
    .addColumn('changed_by', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('enforcement_changes_name').on('enforcement_changes').columns(['name', 'changed_at']).execute()
  await db.schema
    .createTable('enforcement_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('enforcement', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id').onDelete('cascade'))
    .addColumn('installation_id', 'text', (c) => c.references('installations.id').onDelete('set null'))
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('enforcement_reports_app').on('enforcement_reports').columns(['app_id', 'created_at']).execute()

  await db.schema.alterTable('grants').addColumn('installation_id', 'text').execute()
  await db.schema.createIndex('grants_installation').on('grants').column('installation_id').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('grants_installation').execute()
  await db.schema.alterTable('grants').dropColumn('installation_id').execute()
  await db.schema.dropTable('enforcement_reports').execute()
  await db.schema.dropTable('enforcement_changes').execute()
  await db.schema.dropTable('enforcements').execute()
  await db.schema.dropTable('callback_deliveries').execute()
  await db.schema.dropIndex('installations_one_live').execute()
  await db.schema.dropTable('installations').execute()
  await db.schema.dropTable('descriptors').execute()
  await db.schema.alterTable('users').dropColumn('kind').execute()
  await db.schema.alterTable('workspaces').dropColumn('previous_tenant_id').execute()
  await db.schema.alterTable('workspaces').dropColumn('tenant_id').execute()
}
