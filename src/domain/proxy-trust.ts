import { isIP } from 'node:net'

/**
 * Which peers may tell Gatehouse the client's address in `X-Forwarded-For`:
 * - `false`: none; the address is the TCP peer's.
 * - a number: that many proxies always stand in front of Gatehouse; the client is the address that
 *   many hops back. Only safe when Gatehouse cannot be reached except through them.
 * - a list: the proxies' addresses or CIDR ranges (IPv4 and IPv6), and the names `loopback`,
 *   `linklocal`, `uniquelocal`; the client is the nearest address in the chain not on the list.
 * Never "everyone": a client could then choose its own address and slip past every per-address limit.
 */
export type ProxyTrust = false | number | string[]

const NAMED_RANGES = ['loopback', 'linklocal', 'uniquelocal']
const MAX_HOPS = 10
const EVERYONE = ['true', 'yes', 'on', 'all', '*']
const NO_ONE = ['', 'false', 'no', 'off', '0']

const INSTEAD = 'write the number of proxies in front of Gatehouse (e.g. 1) or their addresses (e.g. 10.0.0.0/8,fd00::/8)'

/** The trust a setting describes, or a problem (a sentence without the variable's name) for a setting that is refused. */
export function parseProxyTrust(value: string): { trust: ProxyTrust } | { problem: string } {
  const text = value.trim().toLowerCase()
  if (NO_ONE.includes(text)) return { trust: false }
  if (EVERYONE.includes(text)) return { problem: `cannot be "${value}": that would let any client choose its own address with X-Forwarded-For; ${INSTEAD}` }
  if (/^\d+$/.test(text)) {
    const hops = Number(text)
    return hops <= MAX_HOPS ? { trust: hops } : { problem: `must be at most ${MAX_HOPS} proxies, got ${hops}` }
  }
  const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean)
  for (const entry of entries) {
    const problem = entryProblem(entry)
    if (problem) return { problem }
  }
  return { trust: entries.length > 0 ? entries : false }
}

function entryProblem(entry: string): string | undefined {
  if (NAMED_RANGES.includes(entry)) return undefined
  const [address, prefix, extra] = entry.split('/')
  const family = isIP(address)
  if (family === 0 || extra !== undefined) {
    return `has "${entry}", which is not an IP address, a CIDR range (10.0.0.0/8, fd00::/8) or one of ${NAMED_RANGES.join(', ')}; ${INSTEAD}`
  }
  if (prefix === undefined) return undefined
  const bits = family === 4 ? 32 : 128
  if (!/^\d+$/.test(prefix) || Number(prefix) > bits) return `has "${entry}", whose prefix length must be 1–${bits}`
  if (Number(prefix) === 0) return `has "${entry}", which is every address; name your proxies' addresses or ranges instead`
  return undefined
}

/** Fastify's `trustProxy` for a trust (its own number form trusts no one, so hops become a function). */
export function fastifyTrustProxy(trust: ProxyTrust): false | string[] | ((address: string, hop: number) => boolean) {
  if (typeof trust === 'number') return trust === 0 ? false : (_address, hop) => hop < trust
  return trust
}
