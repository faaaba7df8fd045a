import type { Kysely } from 'kysely'

// What the calls the gateway let through needed: per app, UTC day, operation and scope, how many calls
// met a requirement naming that scope (a requirement of no scope is counted under ''). Rows only ever
// grow, by additive upserts from every process (src/gateway/scope-usage-store.ts). No foreign key:
// the gateway knows a token's client_id, not the app row, and counting must not fail because an app
// was deleted meanwhile; rows of deleted apps are left behind until a retention sweep prunes old days.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scope_usage')
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('operation_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('calls', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('scope_usage_pk', ['client_id', 'day', 'operation_id', 'scope'])
    .execute()
  // The key's (client_id, day) prefix serves one app's report; this one answers "since when is there
  // data at all" (the period a report covers) and a sweep of old days.
  await db.schema.createIndex('scope_usage_day').on('scope_usage').column('day').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('scope_usage_day').execute()
  await db.schema.dropTable('scope_usage').execute()
}
