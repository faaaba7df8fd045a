import { Command } from 'commander'
import { deleteUser, disableUser, enableUser, setAdministrator, type UserChange } from '../admin/accounts.service.js'
import { BadRequestError } from '../errors.js'
import { generatePassword } from '../domain/password.js'
import { createUser, listUsers, setPassword, toPublicUser } from '../users/users.service.js'
import { withAccountAdmin } from './account-admin.js'
import { readStdin, withDatabase } from './context.js'
import { output, table } from './output.js'

export function userCommands(): Command {
  const users = new Command('user').description('Manage user accounts')

  users
    .command('add <username>')
    .description('Create a user; without --password-stdin a password is generated and printed once')
    .option('--password-stdin', 'read the password from standard input')
    .option('--admin', 'make the user an administrator')
    .option('--display-name <name>', 'the name shown to others')
    .option('--json', 'print the result as JSON')
    .action(async (username: string, options: { passwordStdin?: boolean; admin?: boolean; displayName?: string; json?: boolean }) => {
      const password = options.passwordStdin ? await readStdin() : generatePassword()
      if (options.passwordStdin && password === '') throw new BadRequestError('No password on standard input')
      const user = await withDatabase(({ db, clock }) =>
        createUser(db, clock, { username, password, isAdmin: options.admin, displayName: options.displayName }),
      )
      const generated = options.passwordStdin ? undefined : password
      output(Boolean(options.json)).result({ ...user, ...(generated ? { password: generated } : {}) }, () => [
        `created ${user.isAdmin ? 'admin' : 'user'} ${user.username} (${user.id})`,
        ...(generated ? [`password: ${generated}  (shown once)`] : []),
      ])
    })

  users
    .command('set-password <username>')
    .description("Set a user's password, read from standard input; every session of the account ends")
    .requiredOption('--password-stdin', 'read the password from standard input (required: a password on the command line would stay in the shell history)')
    .option('--json', 'print the result as JSON')
    .action(async (username: string, options: { json?: boolean }) => {
      const password = await readStdin()
      if (password === '') throw new BadRequestError('No password on standard input')
      const result = await withDatabase(({ db }) => setPassword(db, username, password))
      output(Boolean(options.json)).result({ username: result.username, ended_sessions: result.endedSessions }, () => [
        `set the password of ${result.username}; ${result.endedSessions} session(s) ended`,
      ])
    })

  users
    .command('list')
    .description('List users')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const rows = await withDatabase(async ({ db }) => (await listUsers(db)).map(toPublicUser))
      output(Boolean(options.json)).result(rows, () =>
        table(
          rows.map((u) => ({ username: u.username, admin: u.isAdmin ? 'yes' : '', state: u.disabledAt ? 'disabled' : '', created: u.createdAt, id: u.id })),
          ['username', 'admin', 'state', 'created', 'id'],
        ),
      )
    })

  const change = (verb: 'disable' | 'enable' | 'delete', description: string, run: typeof disableUser) =>
    users
      .command(`${verb} <username>`)
      .description(description)
      .option('--json', 'print the result as JSON')
      .action(async (username: string, options: { json?: boolean }) => {
        const result = await withAccountAdmin((deps) => run(deps, username))
        output(Boolean(options.json)).result(result, () => userChangeLines(result))
      })
  change('disable', 'Disable an account: it can no longer sign in or get tokens, and every grant, session and token it holds is revoked, on every server within a second', disableUser)
  change('enable', 'Enable a disabled account again; what was revoked when it was disabled stays revoked', enableUser)
  change(
    'delete',
    'Delete an account, with the workspaces only it belongs to; its apps stay, without an owner. Refused for the last administrator, the only owner of a shared workspace, or an author in one: disable instead',
    deleteUser,
  )

  users
    .command('admin <username>')
    .description('Make a user an administrator (or, with --remove, no longer one)')
    .option('--remove', 'take the administrator role away')
    .option('--json', 'print the result as JSON')
    .action(async (username: string, options: { remove?: boolean; json?: boolean }) => {
      const result = await withDatabase(({ db }) => setAdministrator({ db }, username, !options.remove))
      output(Boolean(options.json)).result(result, () => [`${username} is ${result.isAdmin ? 'now an administrator' : 'no longer an administrator'}`])
    })

  return users
}

function userChangeLines(change: UserChange): string[] {
  if (change.deleted) {
    return [
      `deleted ${change.username}; its tokens are revoked`,
      ...(change.deletedWorkspaces?.length ? [`deleted with it (no other member): ${change.deletedWorkspaces.join(', ')}`] : []),
      ...(change.appsWithoutOwner?.length ? [`apps it owned, now without an owner (disable them if they should stop): ${change.appsWithoutOwner.join(', ')}`] : []),
    ]
  }
  if (change.disabled) return [`disabled ${change.username}; ${change.revokedGrants ?? 0} grant(s), its sessions and every token revoked`]
  return [`enabled ${change.username}; what was revoked stays revoked`]
}
