import type { Kysely } from 'kysely'

// The hourly prune deletes expired rows from these tables by expires_at; without an index each
// delete scans the whole table, which grows with every token issued. (sessions: 0004; revocations: 0002.)
// app_secrets: rotation deletes an app's expired secrets, and a global prune of them can use this too.
const EXPIRING_TABLES = ['authorization_codes', 'refresh_tokens', 'registration_tokens', 'grants', 'app_secrets'] as const

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of EXPIRING_TABLES) {
    await db.schema.createIndex(`${table}_expires`).on(table).column('expires_at').execute()
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [...EXPIRING_TABLES].reverse()) {
    await db.schema.dropIndex(`${table}_expires`).execute()
  }
}
