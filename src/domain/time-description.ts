/**
 * Instants as people read them on pages. Rendered on the server, which does not know the reader's
 * time zone, so absolute times say UTC; relative ones are whole units, rounded down, since what
 * they describe (a session's last use) is itself recorded to the minute at best.
 */
const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

/** "less than a minute ago", "3 minutes ago", "2 hours ago", "5 days ago", "4 months ago", "2 years ago". */
export function timeAgo(then: number, now: number): string {
  const elapsed = now - then
  if (elapsed < MINUTE) return 'less than a minute ago'
  if (elapsed < HOUR) return count(Math.floor(elapsed / MINUTE), 'minute')
  if (elapsed < DAY) return count(Math.floor(elapsed / HOUR), 'hour')
  if (elapsed < 30 * DAY) return count(Math.floor(elapsed / DAY), 'day')
  if (elapsed < 365 * DAY) return count(Math.floor(elapsed / (30 * DAY)), 'month')
  return count(Math.floor(elapsed / (365 * DAY)), 'year')
}

/** "23 Nov 2026, 14:05 UTC". */
export function utcDateTime(at: number): string {
  const d = new Date(at)
  return `${utcDate(at)}, ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`
}

/** "23 Nov 2026". */
export function utcDate(at: number): string {
  const d = new Date(at)
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`
}

function count(amount: number, unit: string): string {
  return `${amount} ${unit}${amount === 1 ? '' : 's'} ago`
}

function pad(value: number): string {
  return String(value).padStart(2, '0')
}
