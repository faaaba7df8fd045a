import { getApp } from '../apps/apps.service.js'
import { definitionOf, isClassicScope, scopeSet, type ScopeCatalogue } from '../domain/scopes.js'
import type { ApiDescription, ApiOperation } from '../gateway/api-description.js'
import { dayOf, NO_SCOPE } from '../gateway/scope-usage-store.js'
import type { Db } from '../store/database.js'
import { DEFAULT_USAGE_PERIOD_MS } from './usage-period.js'
import { firstUsageDay, usageTotals, type UsageTotal } from './usage.queries.js'

/**
 * Least privilege from real traffic: which of an app's scopes its calls through the gateway needed in
 * a period, which it never exercised (safe to drop), and which classic scopes it still relies on, with
 * the granular scopes that would do for exactly the operations it called with them.
 */
export interface ScopeUsageReport {
  clientId: string
  appName: string
  /** The scopes the app is registered with. */
  registered: string[]
  /** The period asked for, in whole UTC days (YYYY-MM-DD), both included. */
  since: string
  until: string
  /** The first day of the period with any usage stored (of any app): the report covers only from then. Null: none at all. */
  dataSince: string | null
  /** Whether the app made any call through the gateway in the period; without any, nothing can be judged unused. */
  hasTraffic: boolean
  /** Calls through requirements of no scope (any valid token). */
  callsNeedingNoScope: number
  /** Every scope calls needed, registered or not (a token may outlive a registration), in catalogue order. */
  used: UsedScope[]
  /** Registered scopes no call needed; empty without traffic, since that proves nothing. */
  unused: string[]
  classicInUse: ClassicScopeUse[]
}

export interface UsedScope {
  scope: string
  /** Calls that needed it (a call needing two scopes counts for both). */
  calls: number
  lastDay: string
  registered: boolean
  classic: boolean
}

export interface ClassicScopeUse {
  scope: string
  deprecatedOn: string | undefined
  calls: number
  lastDay: string
  /** What would replace it for the operations below: their granular requirements' scopes, together. */
  replacedBy: string[]
  /** Of those, the ones the app is not registered with yet: to add before dropping the classic scope. */
  notRegistered: string[]
  operations: { operationId: string; calls: number; lastDay: string; replacedBy: string[] }[]
}

export interface ReportPeriod {
  clientId: string
  /** The start of the period (ms); the report begins on its UTC day. */
  since: number
  now: number
}

/** The report for one app; an unknown client_id is a NotFoundError. */
export async function scopeUsageReport(db: Db, api: Pick<ApiDescription, 'scopes' | 'operations'>, { clientId, since, now }: ReportPeriod): Promise<ScopeUsageReport> {
  const app = await getApp(db, clientId)
  const sinceDay = dayOf(since)
  const [totals, dataSince] = await Promise.all([usageTotals(db, app.clientId, sinceDay), firstUsageDay(db, sinceDay)])
  return describeUsage({ clientId: app.clientId, appName: app.name, registered: app.scopes, since: sinceDay, until: dayOf(now), dataSince, totals }, api)
}

/** The report an app's page shows: the default period, up to now. */
export function recentScopeUsage(db: Db, api: Pick<ApiDescription, 'scopes' | 'operations'>, clientId: string, now: number): Promise<ScopeUsageReport> {
  return scopeUsageReport(db, api, { clientId, since: now - DEFAULT_USAGE_PERIOD_MS, now })
}

export interface UsageFacts {
  clientId: string
  appName: string
  registered: readonly string[]
  since: string
  until: string
  dataSince: string | null
  totals: readonly UsageTotal[]
}

/** The report from the stored totals, the app's registration and the API's catalogue and operations. */
export function describeUsage(facts: UsageFacts, api: Pick<ApiDescription, 'scopes' | 'operations'>): ScopeUsageReport {
  const catalogue = api.scopes
  const registered = [...scopeSet(facts.registered)]
  const byScope = new Map<string, UsageTotal[]>()
  let callsNeedingNoScope = 0
  for (const total of facts.totals) {
    if (total.scope === NO_SCOPE) {
      callsNeedingNoScope += total.calls
      continue
    }
    if (!byScope.has(total.scope)) byScope.set(total.scope, [])
    byScope.get(total.scope)!.push(total)
  }
  const hasTraffic = facts.totals.some((total) => total.calls > 0)
  const used = inCatalogueOrder([...byScope.keys()], catalogue).map((scope) => ({
    scope,
    ...summed(byScope.get(scope)!),
    registered: registered.includes(scope),
    classic: isClassicScope(scope, catalogue),
  }))
  const classicInUse = used.filter((u) => u.classic).map((u) => classicUse(u.scope, byScope.get(u.scope)!, registered, api))
  return {
    clientId: facts.clientId,
    appName: facts.appName,
    registered,
    since: facts.since,
    until: facts.until,
    dataSince: facts.dataSince,
    hasTraffic,
    callsNeedingNoScope,
    used,
    unused: hasTraffic ? registered.filter((scope) => !byScope.has(scope)) : [],
    classicInUse,
  }
}

function classicUse(scope: string, totals: readonly UsageTotal[], registered: readonly string[], api: Pick<ApiDescription, 'scopes' | 'operations'>): ClassicScopeUse {
  const definition = definitionOf(scope, api.scopes)
  const operations = totals.map((total) => ({
    operationId: total.operationId,
    calls: total.calls,
    lastDay: total.lastDay,
    replacedBy: granularReplacement(scope, api.operations.find((o) => o.operationId === total.operationId), api.scopes),
  }))
  const replacedBy = [...scopeSet(operations.flatMap((o) => o.replacedBy))]
  return {
    scope,
    deprecatedOn: definition?.deprecatedOn,
    ...summed(totals),
    replacedBy,
    notRegistered: replacedBy.filter((s) => !registered.includes(s)),
    operations,
  }
}

/**
 * The granular scopes that would let an operation's calls made with `classic` through: its granular
 * requirement (the one within what the classic requirement stands for, else the smallest), narrowed to
 * the classic scope's own replacements when the requirement also covers other classic scopes. An
 * operation the API no longer describes, or one with no granular requirement, falls back to everything
 * the catalogue says the classic scope stands for.
 */
export function granularReplacement(classic: string, operation: ApiOperation | undefined, catalogue: ScopeCatalogue): string[] {
  const standsFor = definitionOf(classic, catalogue)?.replacedBy ?? []
  const alternatives = operation?.requirements ?? []
  const granular = alternatives.filter((scopes) => scopes.length > 0 && !scopes.some((s) => isClassicScope(s, catalogue)))
  const classicRequirement = alternatives.find((scopes) => scopes.includes(classic)) ?? [classic]
  const equivalent = new Set(classicRequirement.flatMap((s) => definitionOf(s, catalogue)?.replacedBy ?? []))
  // Those inside the equivalent first, then the smallest; `sort` is stable, so ties keep document order.
  const chosen = [...granular].sort((a, b) => Number(!within(a, equivalent)) - Number(!within(b, equivalent)) || a.length - b.length)[0]
  if (chosen === undefined) return [...scopeSet(standsFor)]
  const own = chosen.filter((s) => standsFor.includes(s))
  return [...scopeSet(own.length > 0 ? own : chosen)]
}

function within(scopes: readonly string[], set: ReadonlySet<string>): boolean {
  return scopes.every((s) => set.has(s))
}

function summed(totals: readonly UsageTotal[]): { calls: number; lastDay: string } {
  let calls = 0
  let lastDay = ''
  for (const total of totals) {
    calls += total.calls
    if (total.lastDay > lastDay) lastDay = total.lastDay
  }
  return { calls, lastDay }
}

/** Catalogue order (granular, then classic), then scopes the catalogue no longer defines, by name. */
function inCatalogueOrder(scopes: readonly string[], catalogue: ScopeCatalogue): string[] {
  const position = new Map(catalogue.map((definition, index) => [definition.name, index]))
  const rank = (scope: string) => position.get(scope) ?? catalogue.length
  return [...scopes].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
}
