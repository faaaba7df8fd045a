import { userInfo } from 'node:os'
import { Command } from 'commander'
import { parseCohort, parseMode, parsePercent, type CohortMember, type Enforcement } from '../domain/rollout.js'
import { BadRequestError } from '../errors.js'
import {
  knownEnforcementName,
  listChanges,
  listEnforcements,
  setEnforcement,
  unknownCohortMembers,
  type EnforcementSetting,
  type EnforcementState,
} from '../installations/enforcements.service.js'
import type { Db } from '../store/database.js'
import { findUserByUsername } from '../users/users.service.js'
import { withDatabase } from './context.js'
import { output, table } from './output.js'

interface SetOptions {
  mode: string
  percent?: string
  cohort?: string[]
  clearCohort?: boolean
  by?: string
  json?: boolean
}

export function enforcementCommands(): Command {
  const enforcements = new Command('enforcement').description('Roll out security changes to installed apps progressively: off, report-only, enforce')

  enforcements
    .command('set <name>')
    .description('Set an enforcement\'s mode, for a percentage of apps (by a stable hash of the app key) and a cohort; the change is recorded with who made it')
    .requiredOption('--mode <mode>', 'off, report-only or enforce')
    .option('--percent <n>', 'the share of apps it applies to, 0–100 (unchanged if not given; 0 at first)')
    .option('--cohort <member...>', 'apps or workspaces it applies to whatever the percentage: app:<key> or workspace:<slug> (replaces the cohort)')
    .option('--clear-cohort', 'empty the cohort')
    .option('--by <username>', 'who makes the change (default: cli:<your login name>)')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, options: SetOptions) => {
      knownEnforcementName(name)
      const setting = parseSetting(options)
      const { state, unknown } = await withDatabase(async ({ db, clock }) => {
        const changedBy = options.by === undefined ? `cli:${userInfo().username}` : await existingUsername(db, options.by)
        return { state: await setEnforcement({ db, clock }, name, setting, changedBy), unknown: await unknownCohortMembers(db, setting.cohort ?? []) }
      })
      for (const member of unknown) process.stderr.write(`gatehouse: note: ${member} names no ${member.startsWith('app:') ? 'installed app' : 'workspace'} yet\n`)
      if (state.mode !== 'off' && state.percent === 0 && state.cohort.length === 0) {
        process.stderr.write(`gatehouse: note: ${state.name} applies to no app yet: give --percent or --cohort\n`)
      }
      output(Boolean(options.json)).result(stateJson(state), () => [`${state.name}: ${describeScope(state)} (set by ${state.updatedBy})`])
    })

  enforcements
    .command('list')
    .description('List the enforcements with their mode, percentage and cohort')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      const states = await withDatabase(({ db }) => listEnforcements(db))
      output(Boolean(options.json)).result(states.map(stateJson), () =>
        table(
          states.map((s) => ({ name: s.name, mode: s.mode, percent: `${s.percent}%`, cohort: s.cohort.join(' '), updated: s.updatedAt === null ? 'never' : iso(s.updatedAt), by: s.updatedBy ?? '' })),
          ['name', 'mode', 'percent', 'cohort', 'updated', 'by'],
        ),
      )
    })

  enforcements
    .command('history <name>')
    .description('Every change of an enforcement, oldest first, with who made it')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const changes = await withDatabase(({ db }) => listChanges(db, name))
      output(Boolean(options.json)).result(
        changes.map((c) => ({ name: c.name, mode: c.mode, percent: c.percent, cohort: c.cohort, changed_by: c.changedBy, changed_at: iso(c.changedAt) })),
        () => table(changes.map((c) => ({ changed: iso(c.changedAt), mode: c.mode, percent: `${c.percent}%`, cohort: c.cohort.join(' '), by: c.changedBy })), ['changed', 'mode', 'percent', 'cohort', 'by']),
      )
    })

  return enforcements
}

/** The options as a setting, or every problem with them at once. */
function parseSetting(options: SetOptions): EnforcementSetting {
  const problems: string[] = []
  const mode = parseMode(options.mode)
  if ('problem' in mode) problems.push(`--mode: ${mode.problem}`)
  let percent: number | undefined
  if (options.percent !== undefined) {
    const parsed = parsePercent(options.percent)
    if ('problem' in parsed) problems.push(`--percent: ${parsed.problem}`)
    else if (!Number.isInteger(parsed.percent)) problems.push(`--percent: "${options.percent}" is not a whole number; percentages are whole, from 0 to 100`)
    else percent = parsed.percent
  }
  if (options.cohort !== undefined && options.clearCohort) problems.push('--cohort and --clear-cohort contradict each other; give one')
  let cohort: CohortMember[] | undefined = options.clearCohort ? [] : undefined
  if (options.cohort !== undefined) {
    const parsed = parseCohort(options.cohort)
    if ('problems' in parsed) problems.push(...parsed.problems.map((p) => `--cohort: ${p}`))
    else cohort = parsed.cohort
  }
  if (problems.length > 0 || 'problem' in mode) throw new BadRequestError(problems.join('; '))
  return { mode: mode.mode, percent, cohort }
}

async function existingUsername(db: Db, username: string): Promise<string> {
  if (!(await findUserByUsername(db, username))) throw new BadRequestError(`--by: no user named "${username}"`)
  return username
}

function describeScope(enforcement: Enforcement): string {
  if (enforcement.mode === 'off') return 'off'
  const cohort = enforcement.cohort.length > 0 ? ` and the cohort ${enforcement.cohort.join(', ')}` : ''
  return `${enforcement.mode} for ${enforcement.percent}% of apps${cohort}`
}

function stateJson(state: EnforcementState) {
  return {
    name: state.name,
    description: state.description,
    mode: state.mode,
    percent: state.percent,
    cohort: state.cohort,
    updated_at: state.updatedAt === null ? null : iso(state.updatedAt),
    updated_by: state.updatedBy,
  }
}

function iso(at: number): string {
  return new Date(at).toISOString()
}
