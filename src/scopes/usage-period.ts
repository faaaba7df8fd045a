const HOUR_MS = 3_600_000
const DAY_MS = 24 * HOUR_MS
const LONGEST_DAYS = 3660

/** The period a scope usage report looks back over when none is given (the CLI's default, the pages' period). */
export const DEFAULT_USAGE_PERIOD = '30d'
export const DEFAULT_USAGE_PERIOD_MS = 30 * DAY_MS

/**
 * A look-back period written `30d` or `36h`, in ms, or why the text is not one. Usage is stored per
 * UTC day, so a report covers whole days: from the day the period starts to today.
 */
export function parseUsagePeriod(text: string): { ms: number } | { problem: string } {
  const match = /^(\d{1,6})([dh])$/.exec(text.trim())
  if (!match) return { problem: `"${text}" is not a period: give a number of days or hours, e.g. 30d or 12h` }
  const amount = Number(match[1])
  const ms = amount * (match[2] === 'd' ? DAY_MS : HOUR_MS)
  if (amount === 0) return { problem: `"${text}" is an empty period: give at least 1h` }
  if (ms > LONGEST_DAYS * DAY_MS) return { problem: `"${text}" is longer than ${LONGEST_DAYS} days` }
  return { ms }
}
