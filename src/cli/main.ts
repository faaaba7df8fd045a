import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { GatehouseError } from '../errors.js'
import { databaseUnavailable, isConnectionRefusedBySettings, isSqliteError } from '../store/database.js'
import { appCommands } from './apps.js'
import { enforcementCommands } from './enforcements.js'
import { groupCommands } from './groups.js'
import { descriptorCommands, installationCommands } from './installations.js'
import { keyCommands } from './keys.js'
import { lintCommand } from './lint.js'
import { migrateCommand, serveCommand } from './serve.js'
import { registrationTokenCommand } from './registration-token.js'
import { scopeCommands } from './scopes.js'
import { userCommands } from './users.js'
import { workspaceCommands } from './workspaces.js'

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

const program = new Command('gatehouse')
  .description('Gatehouse: an OAuth 2.0 authorization server and gateway for platform APIs')
  .version(version, '-V, --version', 'print the version')
  .showHelpAfterError()
  .exitOverride()

for (const command of [serveCommand(), migrateCommand(), userCommands(), groupCommands(), workspaceCommands(), appCommands(), registrationTokenCommand(), keyCommands(), descriptorCommands(), ...installationCommands(), enforcementCommands(), lintCommand(), scopeCommands()]) {
  program.addCommand(command)
}

try {
  await program.parseAsync(process.argv)
} catch (error) {
  process.exitCode = reportFailure(error, process.argv.includes('--json'))
}

/** Expected failures become one line (or a JSON error); anything else is a bug and keeps its stack. */
function reportFailure(error: unknown, json: boolean): number {
  if (error instanceof CommanderError) return error.exitCode
  const databaseProblem = describeDatabaseProblem(error)
  if (databaseProblem) error = new GatehouseError('ERR_UNAVAILABLE', databaseProblem, 503)
  if (error instanceof GatehouseError && error.expose) {
    if (json) process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`)
    else process.stderr.write(`gatehouse: ${error.message}\n`)
    return 1
  }
  if (error instanceof GatehouseError) {
    process.stderr.write(`gatehouse: ${error.message}\n`)
    return 1
  }
  process.stderr.write(`gatehouse: unexpected error\n${error instanceof Error ? error.stack : String(error)}\n`)
  return 2
}

/** An unreachable or refusing database is the operator's setting or an outage, not a bug: one line, naming the variable. */
function describeDatabaseProblem(error: unknown): string | undefined {
  if (isConnectionRefusedBySettings(error)) return `the database refused the connection (${describe(error)}); check DATABASE_URL`
  if (!databaseUnavailable(error)) return undefined
  if (isSqliteError(error)) return `cannot use the SQLite database (${describe(error)}); check DATABASE_URL`
  return `the database is unreachable (${describe(error)}); check DATABASE_URL and that the server is up`
}

function describe(error: unknown): string {
  const inner = error instanceof AggregateError && error.errors.length > 0 ? error.errors[0] : error
  return inner instanceof Error ? inner.message : String(inner)
}
