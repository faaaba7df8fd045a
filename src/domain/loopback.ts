import { isIPv4, isIPv6 } from 'node:net'

/**
 * Whether a listen address (`HOST`) reaches only this machine: `localhost`, 127.0.0.0/8, `::1`
 * (bracketed or not) and IPv4-mapped loopback. `0.0.0.0`, `::` and any other name or address reach
 * further, so what is safe only on loopback (the demo seed, open metrics) is not done there.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
  const lower = bare.toLowerCase()
  if (lower === 'localhost') return true
  if (isIPv4(lower)) return lower.startsWith('127.')
  if (!isIPv6(lower)) return false
  if (lower === '::1' || lower === '0:0:0:0:0:0:0:1') return true
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower)
  return mapped !== null && isIPv4(mapped[1]) && mapped[1].startsWith('127.')
}
