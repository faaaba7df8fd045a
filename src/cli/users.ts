import { Command } from 'commander'
import { BadRequestError } from '../errors.js'
import { generatePassword } from '../domain/password.js'
import { createUser, listUsers, toPublicUser } from '../users/users.service.js'
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
    .command('list')
    .description('List users')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const rows = await withDatabase(async ({ db }) => (await listUsers(db)).map(toPublicUser))
      output(Boolean(options.json)).result(rows, () =>
        table(rows.map((u) => ({ username: u.username, admin: u.isAdmin ? 'yes' : '', created: u.createdAt, id: u.id })), ['username', 'admin', 'created', 'id']),
      )
    })

  return users
}
