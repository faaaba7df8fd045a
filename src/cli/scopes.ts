import { Command } from 'commander'
import { BadRequestError } from '../errors.js'
import { loadApiDescription } from '../gateway/api-description.js'
import { sampleApi } from '../platform/openapi.js'
import { DEFAULT_USAGE_PERIOD, parseUsagePeriod, scopeUsageReport, type ScopeUsageReport } from '../scopes/usage.js'
import { withDatabase } from './context.js'
import { output, table } from './output.js'

export function scopeCommands(): Command {
  const scopes = new Command('scopes').description('Granular scopes: what apps\' calls actually need')

  scopes
    .command('report')
    .description('Which of an app\'s scopes its calls through the gateway needed in a period: those never used (safe to remove) and classic scopes still in use, with the granular ones to ask for instead')
    .requiredOption('--app <client_id>', 'the app (its client_id, or an installed app\'s key)')
    .option('--since <period>', 'how far back to look, in days or hours (e.g. 30d, 12h); whole UTC days are counted', DEFAULT_USAGE_PERIOD)
    .option('--json', 'print the result as JSON')
    .action(async (options: { app: string; since: string; json?: boolean }) => {
      const period = parseUsagePeriod(options.since)
      if ('problem' in period) throw new BadRequestError(`--since: ${period.problem}`)
      const report = await withDatabase(async ({ config, db, clock }) => {
        const api = await loadApiDescription(config, sampleApi)
        const now = clock.now()
        return scopeUsageReport(db, api, { clientId: options.app, since: now - period.ms, now })
      })
      output(Boolean(options.json)).result(reportJson(report), () => reportLines(report))
    })

  return scopes
}

function reportJson(report: ScopeUsageReport) {
  return {
    client_id: report.clientId,
    name: report.appName,
    period: { since: report.since, until: report.until, data_since: report.dataSince },
    has_traffic: report.hasTraffic,
    registered: report.registered,
    used: report.used.map((u) => ({ scope: u.scope, calls: u.calls, last_day: u.lastDay, registered: u.registered, classic: u.classic })),
    calls_needing_no_scope: report.callsNeedingNoScope,
    never_used: report.unused,
    classic_in_use: report.classicInUse.map((c) => ({
      scope: c.scope,
      deprecated_on: c.deprecatedOn ?? null,
      calls: c.calls,
      last_day: c.lastDay,
      replaced_by: c.replacedBy,
      not_registered: c.notRegistered,
      operations: c.operations.map((o) => ({ operation_id: o.operationId, calls: o.calls, last_day: o.lastDay, replaced_by: o.replacedBy })),
    })),
  }
}

function reportLines(report: ScopeUsageReport): string[] {
  const lines = [`Scope usage of "${report.appName}" (${report.clientId}), ${report.since} to ${report.until} (UTC days)`]
  if (report.dataSince === null) lines.push('No usage was recorded for any app in this period: the gateway counts calls from this version on.')
  else if (report.dataSince > report.since) lines.push(`Usage is recorded from ${report.dataSince} only: the report covers ${report.dataSince} to ${report.until}.`)
  lines.push('')
  if (!report.hasTraffic) {
    lines.push('No calls of this app went through the gateway in the period: there is no traffic to judge its scopes by.')
    lines.push(`Registered scopes: ${report.registered.join(' ') || '(none)'}`)
    return lines
  }
  lines.push('Used:')
  lines.push(...indent(table(report.used.map((u) => ({ scope: u.scope, calls: u.calls, 'last used': u.lastDay, note: note(u) })), ['scope', 'calls', 'last used', 'note'])))
  if (report.callsNeedingNoScope > 0) lines.push(`  and ${count(report.callsNeedingNoScope, 'call')} needing no scope`)
  lines.push('')
  if (report.unused.length === 0) lines.push('Every registered scope was used.')
  else lines.push('Never used in the period (safe to remove):', ...report.unused.map((scope) => `  ${scope}`))
  if (report.classicInUse.length > 0) {
    lines.push('', 'Classic scopes still in use, and the granular scopes that would replace them for the operations called:')
    for (const c of report.classicInUse) {
      lines.push(`  ${c.scope}${c.deprecatedOn ? ` (deprecated on ${c.deprecatedOn})` : ''} → ${c.replacedBy.join(' ')}`)
      if (c.notRegistered.length > 0) lines.push(`    not registered yet: ${c.notRegistered.join(' ')}`)
      for (const o of c.operations) lines.push(`    ${o.operationId}: ${count(o.calls, 'call')}, last ${o.lastDay} → ${o.replacedBy.join(' ')}`)
    }
  }
  lines.push('', 'Calls through this gateway only, counted by the scopes of the requirement each one met; see /docs/scopes.')
  return lines
}

function note(used: ScopeUsageReport['used'][number]): string {
  return [used.classic ? 'classic' : '', used.registered ? '' : 'not registered'].filter(Boolean).join(', ')
}

function indent(lines: string[]): string[] {
  return lines.map((line) => `  ${line}`)
}

function count(amount: number, unit: string): string {
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`
}
