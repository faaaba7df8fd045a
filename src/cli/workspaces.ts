import { readFile } from 'node:fs/promises'
import { Command } from 'commander'
import { BadRequestError } from '../errors.js'
import { createWorkspace, listAllWorkspaces } from '../platform/index.js'
import { findUserByUsername } from '../users/users.service.js'
import type { Db } from '../store/database.js'
import { exportWorkspace, importWorkspace, restoreWorkspace, type TransferResult } from '../installations/workspace-transfer.js'
import { withAccountAdmin } from './account-admin.js'
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

  workspaces
    .command('export <slug>')
    .description('Write the workspace (members, repositories, issues, comments; installations for the record) as JSON to stdout')
    .action(async (slug: string) => {
      const data = await withDatabase(({ db, clock, config }) => exportWorkspace(db, clock, config.issuer, slug))
      process.stdout.write(`${JSON.stringify(data, null, 2)}\n`)
    })

  workspaces
    .command('import <file>')
    .description("Import an export into a workspace (made if missing) as a new tenant: its content is replaced, its installations are removed without callbacks, and apps installed again get new identifiers (and are told the previous clientKey)")
    .requiredOption('--into <slug>', 'the workspace that receives the content')
    .option('--attribute-unknown-to <username>', "whose name goes on issues and comments whose author has no account here (default: the file's first owner with one)")
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { into: string; attributeUnknownTo?: string; json?: boolean }) => {
      const data = await readExport(file)
      const result = await withAccountAdmin((deps) => importWorkspace(deps, data, { slug: options.into, fallbackAuthor: options.attributeUnknownTo }))
      output(Boolean(options.json)).result(result, () => [
        `imported into ${result.workspace.slug}${result.created ? ' (new workspace)' : ''} as a new tenant: ${result.repositories} repositories, ${result.issues} issues, ${result.comments} comments`,
        ...transferNotes(result),
        ...(result.removedInstallations.length > 0 ? [`  removed installations (no uninstall callback): ${result.removedInstallations.map((i) => i.appKey).join(', ')}; install them again to give them new identifiers`] : []),
      ])
    })

  workspaces
    .command('restore <file>')
    .description('Restore a backup of the same workspace: its identity and installations stay, its content becomes the backup')
    .option('--attribute-unknown-to <username>', "whose name goes on issues and comments whose author has no account here (default: the file's first owner with one)")
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { attributeUnknownTo?: string; json?: boolean }) => {
      const data = await readExport(file)
      const result = await withAccountAdmin((deps) => restoreWorkspace(deps, data, { fallbackAuthor: options.attributeUnknownTo }))
      output(Boolean(options.json)).result(result, () => [
        `restored ${result.workspace.slug}${result.created ? ' (made again, with its id and tenant)' : ''}: ${result.repositories} repositories, ${result.issues} issues, ${result.comments} comments; ${result.keptInstallations} installation(s) kept`,
        ...transferNotes(result),
      ])
    })

  return workspaces
}

async function readExport(file: string): Promise<unknown> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    throw new BadRequestError(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`)
  }
  try {
    return JSON.parse(text) as unknown
  } catch (error) {
    throw new BadRequestError(`${file} is not JSON: ${(error as Error).message}`)
  }
}

function transferNotes(result: TransferResult): string[] {
  return [
    ...(result.unknownMembers.length > 0 ? [`  members without an account here, not added: ${result.unknownMembers.join(', ')}`] : []),
    ...(result.unknownAuthors.length > 0 ? [`  authors without an account here, their work attributed to another: ${result.unknownAuthors.join(', ')}`] : []),
  ]
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
