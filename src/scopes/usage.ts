// Scope usage, as the rest of Gatehouse uses it: the report, its period and its section on app pages.
export { recentScopeUsage, scopeUsageReport, type ScopeUsageReport } from './usage-report.js'
export { DEFAULT_USAGE_PERIOD, parseUsagePeriod } from './usage-period.js'
export { scopeUsageSection } from './usage-section.js'
