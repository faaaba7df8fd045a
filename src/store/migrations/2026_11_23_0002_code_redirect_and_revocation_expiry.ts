import type { Kysely } from 'kysely'

// authorization_codes.redirect_uri_provided: whether the authorization request named its redirect_uri,
// which decides whether the token request must repeat it (RFC 6749 §4.1.3). Existing codes named one.
// revocations(expires_at): the hourly prune and the start-up load filter on it.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('authorization_codes').addColumn('redirect_uri_provided', 'integer', (c) => c.notNull().defaultTo(1)).execute()
  await db.schema.createIndex('revocations_expires').on('revocations').column('expires_at').execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('revocations_expires').execute()
  await db.schema.alterTable('authorization_codes').dropColumn('redirect_uri_provided').execute()
}
