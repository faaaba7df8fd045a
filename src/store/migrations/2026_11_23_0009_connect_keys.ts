import type { Kysely } from 'kysely'

// The RS256 keys that sign lifecycle callbacks to installed apps (`Authorization: JWT …`), apart from
// the access-token keys: an app verifies them with the public key published by kid (/connect/keys/<kid>),
// and a rotation of one set must not touch the other. The private part is sealed like the signing keys'
// (src/store/secret-box.ts, context `connect_keys:<kid>`), and cleared once the key no longer signs.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('connect_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('private_key_sealed', 'text')
    .addColumn('kek_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('connect_keys').execute()
}
