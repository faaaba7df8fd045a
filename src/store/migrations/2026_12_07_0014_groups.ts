import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'

// Groups of users and the token permissions granted to them (issue 10). A membership or a grant goes
// with its group or its user (cascade), so deleting either never fails because of them. The group
// `users` is made here with the defaults people know from other platforms (use, create, read-write),
// and every existing person joins it; installations' app accounts (`users.kind = 'app'`) do not.
// The names are written out: a migration must not depend on today's code.
const DEFAULT_GROUP = 'users'
const DEFAULT_PERMISSIONS = ['use-tokens', 'create-tokens', 'create-read-write-tokens']

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('group_members')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_members_pk', ['group_id', 'user_id'])
    .execute()
  // permissionsOf looks memberships up by user.
  await db.schema.createIndex('group_members_user').on('group_members').column('user_id').execute()
  await db.schema
    .createTable('group_permissions')
    .addColumn('group_id', 'text', (c) => c.notNull().references('groups.id').onDelete('cascade'))
    .addColumn('permission', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('group_permissions_pk', ['group_id', 'permission'])
    .execute()

  const id = randomUUID()
  const now = Date.now()
  await db.insertInto('groups').values({ id, name: DEFAULT_GROUP, description: 'Every new user joins this group', created_at: now }).execute()
  await db.insertInto('group_permissions').values(DEFAULT_PERMISSIONS.map((permission) => ({ group_id: id, permission, granted_at: now }))).execute()
  await db
    .insertInto('group_members')
    .columns(['group_id', 'user_id', 'added_at'])
    .expression((eb) => eb.selectFrom('users').select([eb.val(id).as('group_id'), 'id', eb.val(now).as('added_at')]).where('kind', '!=', 'app'))
    .execute()
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('group_permissions').execute()
  await db.schema.dropIndex('group_members_user').execute()
  await db.schema.dropTable('group_members').execute()
  await db.schema.dropTable('groups').execute()
}
