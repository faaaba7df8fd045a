import { sql, type Kysely } from 'kysely'

// Signing keys' private parts are stored sealed under a key-encryption key (src/store/secret-box.ts),
// and a key is published before it signs (activates_at), so verifiers caching JWKS never meet an unknown kid.
//
// A migration has no key-encryption key, so it cannot seal the plaintext keys it finds. It keeps them
// in private_jwk (now nullable); on the next start the server seals each one, clears private_jwk, and
// rotates to a fresh key, since backups taken before the upgrade still hold the old key in plaintext.
//
// SQLite cannot drop a NOT NULL constraint, so the table is rebuilt (no other table refers to it).
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signing_keys_next')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('private_key_sealed', 'text')
    .addColumn('kek_id', 'text')
    .addColumn('private_jwk', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('activates_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .execute()
  await sql`insert into signing_keys_next (kid, alg, public_jwk, private_jwk, created_at, activates_at, retired_at, expires_at)
    select kid, alg, public_jwk, private_jwk, created_at, created_at, retired_at, expires_at from signing_keys`.execute(db)
  await db.schema.dropTable('signing_keys').execute()
  await db.schema.alterTable('signing_keys_next').renameTo('signing_keys').execute()
}

// Going back: the earlier code reads only plaintext keys, and a sealed key cannot be opened here. Keys
// still in plaintext go back as they were; sealed ones are dropped (the earlier code makes a new key
// when none is left, and tokens signed by a dropped key stop verifying). A key not yet active is dropped.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('signing_keys_previous')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('private_jwk', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_at', 'bigint')
    .addColumn('expires_at', 'bigint')
    .execute()
  await sql`insert into signing_keys_previous (kid, alg, private_jwk, public_jwk, created_at, retired_at, expires_at)
    select kid, alg, private_jwk, public_jwk, created_at, retired_at, expires_at from signing_keys where private_jwk is not null`.execute(db)
  await db.schema.dropTable('signing_keys').execute()
  await db.schema.alterTable('signing_keys_previous').renameTo('signing_keys').execute()
}
