import { Command } from 'commander'
import { BadRequestError } from '../errors.js'
import { createWorkspace, listAllWorkspaces } from '../platform/index.js'
import { findUserByUsername } from '../users/users.service.js'
import type { Db } from '../store/database.js'
import { withDatabase } from './context.js'
import { output, table } from './output.js'

export function workspaceCommands(): Command {
  const workspaces = new Command('workspace').description('Manage workspaces of the sample platform API')

  workspaces
    .command('add <slug>')
    .description('Create a workspace; the first --owner (or, without one, the first --member) owns it')
    .option('--name <name>', 'display name (defaults to the slug)')
    .option('--member <username...>', 'members to add')
    .option('--owner <username...>', 'owners to add')
    .option('--json', 'print the result as JSON')
    .action(async (slug: string, options: { name?: string; member?: string[]; owner?: string[]; json?: boolean }) => {
      const result = await withDatabase(async ({ db, clock }) => {
        const owners = options.owner ?? []
        const members = (options.member ?? []).filter((m) => !owners.includes(m))
        if (owners.length === 0 && members.length > 0) owners.push(members.shift()!)
        const roles = [
          ...(await resolve(db, owners)).map((userId) => ({ userId, role: 'owner' as const })),
          ...(await resolve(db, members)).map((userId) => ({ userId, role: 'member' as const })),
        ]
        const workspace = await createWorkspace(db, clock, { slug, name: options.name, members: roles })
        return { ...workspace, owners, members }
      })
      output(Boolean(options.json)).result(result, () => [
        `created workspace ${slug}`,
        ...(result.owners.length ? [`  owners:  ${result.owners.join(', ')}`] : []),
        ...(result.members.length ? [`  members: ${result.members.join(', ')}`] : []),
      ])
    })

  workspaces
    .command('list')
    .description('List workspaces with their owners and members')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const rows = await withDatabase(({ db }) => listAllWorkspaces(db))
      output(Boolean(options.json)).result(
        rows.map((w) => ({ slug: w.slug, name: w.name, owners: w.owners, members: w.members, created_at: new Date(w.createdAt).toISOString() })),
        () => table(rows.map((w) => ({ slug: w.slug, name: w.name, owners: w.owners.join(' '), members: w.members.join(' ') })), ['slug', 'name', 'owners', 'members']),
      )
    })

  return workspaces
}

async function resolve(db: Db, usernames: string[]): Promise<string[]> {
  const ids: string[] = []
  for (const username of usernames) {
    const user = await findUserByUsername(db, username)
    if (!user) throw new BadRequestError(`No user named "${username}"`)
    ids.push(user.id)
  }
  return ids
}
