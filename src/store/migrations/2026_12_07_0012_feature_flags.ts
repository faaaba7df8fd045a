import type { Kysely } from 'kysely'

// Labs: the feature flags an account opted in to, one row per account and flag, there while it is on
// (turning a flag off deletes its row). Which flags exist is code (src/labs/flags.ts), not a table: a
// row naming a flag the code no longer knows is ignored.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('feature_flags')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('flag', 'text', (c) => c.notNull())
    .addColumn('enabled_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('feature_flags_pk', ['user_id', 'flag'])
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('feature_flags').execute()
}
