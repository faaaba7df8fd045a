import { Command } from 'commander'
import { DEFAULT_GROUP_NAME, PERMISSION_DESCRIPTIONS, TOKEN_PERMISSIONS } from '../domain/token-permissions.js'
import {
  addMember,
  createGroup,
  deleteGroup,
  grantPermission,
  listGroups,
  removeMember,
  revokePermission,
  showGroup,
  type GroupChange,
} from '../users/groups.service.js'
import { withDatabase } from './context.js'
import { output, table } from './output.js'

const PERMISSION_HELP = `\nToken permissions:\n${TOKEN_PERMISSIONS.map((p) => `  ${p.padEnd(26)}${PERMISSION_DESCRIPTIONS[p]}`).join('\n')}\nAdministrators hold every permission.`

export function groupCommands(): Command {
  const groups = new Command('group')
    .description(`Groups of users and the API-token permissions granted to them; every new user joins "${DEFAULT_GROUP_NAME}" while it exists`)
    .addHelpText('after', PERMISSION_HELP)

  groups
    .command('add <name>')
    .description('Create a group (1–64 characters: lower-case letters, digits, "-", "_", ".")')
    .option('--description <text>', 'what the group is for')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, options: { description?: string; json?: boolean }) => {
      const change = await withDatabase((deps) => createGroup(deps, { name, description: options.description }))
      output(Boolean(options.json)).result(change, () => changeLines(change))
    })

  groups
    .command('list')
    .description('List groups with their member counts and permissions')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const rows = await withDatabase(({ db }) => listGroups(db))
      output(Boolean(options.json)).result(rows, () =>
        table(
          rows.map((g) => ({ name: g.name + (g.isDefault ? ' (default)' : ''), members: g.members, permissions: g.permissions.join(', ') || '(none)', description: g.description })),
          ['name', 'members', 'permissions', 'description'],
        ),
      )
    })

  groups
    .command('show <name>')
    .description("A group's description, permissions and members")
    .option('--json', 'print the result as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const group = await withDatabase(({ db }) => showGroup(db, name))
      output(Boolean(options.json)).result(group, () => [
        `${group.name}${group.isDefault ? ' (every new user joins it)' : ''}`,
        ...(group.description ? [`  description: ${group.description}`] : []),
        `  permissions: ${group.permissions.join(', ') || '(none)'}`,
        `  members (${group.members}): ${group.memberNames.join(', ') || '(none)'}`,
      ])
    })

  groups
    .command('delete <name>')
    .description(`Delete a group; its members lose what only it gave them. Deleting "${DEFAULT_GROUP_NAME}" means new users join no group`)
    .option('--json', 'print the result as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const change = await withDatabase((deps) => deleteGroup(deps, name))
      output(Boolean(options.json)).result(change, () => changeLines(change))
    })

  const member = groups.command('member').description('Add users to a group or remove them')
  member
    .command('add <group> <username>')
    .description('Add a user to a group (nothing changes if they already belong)')
    .option('--json', 'print the result as JSON')
    .action(async (group: string, username: string, options: { json?: boolean }) => {
      const change = await withDatabase((deps) => addMember(deps, group, username))
      output(Boolean(options.json)).result(change, () => changeLines(change))
    })
  member
    .command('remove <group> <username>')
    .description('Remove a user from a group (nothing changes if they do not belong)')
    .option('--json', 'print the result as JSON')
    .action(async (group: string, username: string, options: { json?: boolean }) => {
      const change = await withDatabase((deps) => removeMember(deps, group, username))
      output(Boolean(options.json)).result(change, () => changeLines(change))
    })

  groups
    .command('grant <group> <permission>')
    .description(`Grant a token permission to a group (${TOKEN_PERMISSIONS.join(', ')})`)
    .option('--json', 'print the result as JSON')
    .addHelpText('after', PERMISSION_HELP)
    .action(async (group: string, permission: string, options: { json?: boolean }) => {
      const change = await withDatabase((deps) => grantPermission(deps, group, permission))
      output(Boolean(options.json)).result(change, () => changeLines(change))
    })
  groups
    .command('revoke <group> <permission>')
    .description('Take a token permission away from a group; members keep it only through another group')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', PERMISSION_HELP)
    .action(async (group: string, permission: string, options: { json?: boolean }) => {
      const change = await withDatabase((deps) => revokePermission(deps, group, permission))
      output(Boolean(options.json)).result(change, () => changeLines(change))
    })

  return groups
}

function changeLines(change: GroupChange): string[] {
  switch (change.type) {
    case 'group-created':
      return [`created group ${change.group}`]
    case 'group-deleted':
      return [
        `deleted group ${change.group}; its ${change.members} member(s) lost ${change.permissions.join(', ') || 'no permission'} unless another group gives it`,
        ...(change.wasDefault ? [`new users now join no group and hold no token permission until added to one; "group add ${DEFAULT_GROUP_NAME}" makes the default group again`] : []),
      ]
    case 'member-added':
      return [change.changed ? `added ${change.username} to ${change.group}` : `${change.username} already belongs to ${change.group}; nothing changed`]
    case 'member-removed':
      return [change.changed ? `removed ${change.username} from ${change.group}` : `${change.username} does not belong to ${change.group}; nothing changed`]
    case 'permission-granted':
      return [change.changed ? `granted ${change.permission} to ${change.group}` : `${change.group} already has ${change.permission}; nothing changed`]
    case 'permission-revoked':
      return [change.changed ? `revoked ${change.permission} from ${change.group}` : `${change.group} does not have ${change.permission}; nothing changed`]
  }
}
