/**
 * Where to send someone after signing in: only a path on this site. `//host`
 * and `/\host` are read by browsers as another host, and browsers drop tabs
 * and newlines from URLs, so `/\t/host` becomes `//host` — all are refused.
 */
export function safeReturnTo(value: string | undefined): string {
  if (value === undefined || !value.startsWith('/')) return '/'
  if (value.startsWith('//') || value.includes('\\')) return '/'
  if (/[\x00-\x1f\x7f]/.test(value)) return '/'
  return value
}
