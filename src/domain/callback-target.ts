import { domainToASCII } from 'node:url'
import { ipRange, parseIpAddress, parseIpRange, rangeContains, unmapped, type IpAddress, type IpRange } from './cidr.js'

/**
 * Where Gatehouse may send a lifecycle callback. A descriptor names a URL and Gatehouse POSTs to it,
 * so without this rule a descriptor would be a way to make the server call inside its own network
 * (an admin console on 10.x, a cloud metadata service on 169.254.169.254).
 *
 * - The URL's scheme, host and port are the descriptor baseUrl's: a redirect elsewhere is refused.
 * - Every address the host resolved to must be one the public internet routes: not private,
 *   loopback, link-local, unspecified, shared (CGNAT), multicast, reserved or documentation space,
 *   whether written as IPv4 or inside IPv6 (IPv4-mapped `::ffff:…`, NAT64 `64:ff9b::…`, 6to4 `2002:…`).
 *   One bad address refuses the host, since a resolver may hand either out.
 * - Except what the deployment allows: hosts or ranges in GATEHOUSE_CALLBACK_ALLOWLIST, and
 *   loopback when Gatehouse itself listens on loopback (the embedded default, the demo, the tests).
 *
 * The caller resolves the host, passes the addresses here, and then connects to exactly those
 * addresses, so a second lookup cannot answer differently (DNS rebinding).
 */

/** Hosts (lower-case, ASCII) and ranges a deployment lets callbacks reach although they are not public. */
export interface CallbackAllowlist {
  hosts: readonly string[]
  ranges: readonly IpRange[]
}

export interface CallbackTarget {
  /** The URL about to be requested: a callback URL, or where a redirect points. */
  url: string
  /** The descriptor's baseUrl. */
  baseUrl: string
  /** The addresses the URL's host resolved to. */
  addresses: readonly string[]
  allowlist: CallbackAllowlist
  /** Whether loopback addresses are allowed (Gatehouse itself listens on loopback). */
  allowLoopback: boolean
}

export type CallbackTargetResult = { ok: true } | { ok: false; reason: string }

type AddressKind = 'unspecified' | 'loopback' | 'private' | 'link-local' | 'shared' | 'multicast' | 'reserved' | 'documentation'

interface SpecialRange {
  range: IpRange
  text: string
  kind: AddressKind
}

/** Where an IPv4 address sits inside an IPv6 one (NAT64 and 6to4 carry a routable IPv4 address). */
interface EmbeddingRange {
  range: IpRange
  shift: bigint
}

const KIND_WORDS: Record<AddressKind, string> = {
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private address',
  'link-local': 'a link-local address (where cloud metadata services answer)',
  shared: 'a shared (carrier-grade NAT) address',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
  documentation: 'a documentation address',
}

// IANA's special-purpose registries (RFC 6890 and after), the parts not reachable on the internet.
const SPECIAL_RANGES: readonly SpecialRange[] = ([
  ['0.0.0.0/8', 'unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved'],
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'reserved'],
  ['64:ff9b:1::/48', 'private'],
  ['100::/64', 'reserved'],
  ['2001::/32', 'reserved'],
  ['2001:2::/48', 'reserved'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'private'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'private'],
  ['ff00::/8', 'multicast'],
] as const).map(([text, kind]) => ({ range: parseIpRange(text)!, text, kind }))

/** Only 2000::/3 is allocated for global unicast; the rest of IPv6 is reserved. */
const GLOBAL_UNICAST = parseIpRange('2000::/3')!

const EMBEDDING_RANGES: readonly EmbeddingRange[] = [
  { range: parseIpRange('64:ff9b::/96')!, shift: 0n },
  { range: parseIpRange('2002::/16')!, shift: 80n },
]

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/
const ALLOWLIST_EXAMPLE = 'e.g. GATEHOUSE_CALLBACK_ALLOWLIST=apps.internal.example,10.20.0.0/16,fd00:1::/64'

/** Whether Gatehouse may send a callback request to this target, or why not. */
export function checkCallbackTarget(target: CallbackTarget): CallbackTargetResult {
  const url = parseUrl(target.url)
  const base = parseUrl(target.baseUrl)
  if (url === undefined) return refuse(`the callback URL "${target.url}" is not an absolute http(s) URL`)
  if (base === undefined) return refuse(`the app's baseUrl "${target.baseUrl}" is not an absolute http(s) URL`)
  if (url.username !== '' || url.password !== '') return refuse(`the callback URL "${target.url}" carries user information`)
  if (url.protocol !== base.protocol || url.hostname !== base.hostname || url.port !== base.port) {
    return refuse(`callbacks go only to the app's baseUrl ${base.origin}, not to ${url.origin}`)
  }
  if (target.addresses.length === 0) return refuse(`the host ${url.hostname} did not resolve to any address`)
  const hostAllowed = target.allowlist.hosts.includes(url.hostname)
  for (const text of target.addresses) {
    const address = parseIpAddress(text)
    if (address === undefined) return refuse(`the host ${url.hostname} resolved to "${text}", which is not an IP address`)
    const special = specialRange(address)
    if (special === undefined || hostAllowed || target.allowlist.ranges.some((range) => rangeContains(range, address))) continue
    if (special.kind === 'loopback' && target.allowLoopback) continue
    return refuse(
      `the host ${url.hostname} resolves to ${text}, ${KIND_WORDS[special.kind]} in ${special.text}; ` +
        `callbacks reach only public addresses unless GATEHOUSE_CALLBACK_ALLOWLIST names the host or a range holding the address (${ALLOWLIST_EXAMPLE})` +
        (special.kind === 'loopback' ? ', or Gatehouse itself listens on loopback' : ''),
    )
  }
  return { ok: true }
}

/** The special-purpose range an address is in, if any (an IPv4 address inside IPv6 is judged as IPv4). */
function specialRange(address: IpAddress): SpecialRange | undefined {
  const plain = unmapped(address)
  if (plain.family === 6) {
    const embedding = EMBEDDING_RANGES.find(({ range }) => rangeContains(range, plain))
    if (embedding) return specialRange({ family: 4, value: (plain.value >> embedding.shift) & 0xffffffffn })
  }
  const special = SPECIAL_RANGES.filter(({ range }) => rangeContains(range, plain)).sort((a, b) => b.range.prefix - a.range.prefix)[0]
  if (special !== undefined || plain.family === 4 || rangeContains(GLOBAL_UNICAST, plain)) return special
  return { range: ipRange(plain, 0)!, text: 'IPv6 space outside 2000::/3', kind: 'reserved' }
}

/**
 * GATEHOUSE_CALLBACK_ALLOWLIST: host names, IP addresses and CIDR ranges separated by commas (or
 * spaces). Returns a problem (a sentence without the variable's name) for an entry that is none of
 * these, or for a range that is every address, which would switch the protection off.
 */
export function parseCallbackAllowlist(value: string): { allowlist: CallbackAllowlist } | { problem: string } {
  const hosts: string[] = []
  const ranges: IpRange[] = []
  for (const entry of value.split(/[\s,]+/).filter(Boolean)) {
    const parsed = allowlistEntry(entry)
    if (typeof parsed === 'string') return { problem: parsed }
    if ('host' in parsed) hosts.push(parsed.host)
    else ranges.push(parsed.range)
  }
  return { allowlist: { hosts: [...new Set(hosts)], ranges } }
}

function allowlistEntry(entry: string): { host: string } | { range: IpRange } | string {
  const [addressText, prefixText] = entry.split('/')
  const address = parseIpAddress(addressText)
  if (address !== undefined) {
    const range = parseIpRange(entry.replace(/^\[([^\]]*)\]/, '$1'))
    const bits = address.family === 4 ? 32 : 128
    if (range === undefined) return `has "${entry}", whose prefix length must be a number from 1 to ${bits}`
    if (range.prefix === 0) return `has "${entry}", which is every address and would let callbacks reach anything; list the hosts or ranges your apps run on`
    if (prefixText !== undefined && range.network !== address.value) {
      return `has "${entry}", whose address has bits set beyond the /${range.prefix} prefix; write the range's first address, e.g. ${formatNetwork(range)}`
    }
    return { range }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\/|[@*]|^[^:]*:\d+$/i.test(entry)) {
    return `has "${entry}"; write a host name without scheme, port or wildcard, an IP address or a CIDR range (${ALLOWLIST_EXAMPLE})`
  }
  if (entry.includes('/')) return `has "${entry}", which is not a CIDR range: the part before "/" must be an IP address`
  const host = domainToASCII(entry.replace(/\.$/, '').toLowerCase())
  // A name ending in a number is read as an IPv4 address by URL parsers; only well-formed addresses are accepted above.
  if (!HOST_NAME.test(host) || /(^|\.)\d+$/.test(host)) {
    return `has "${entry}", which is not a host name, an IP address or a CIDR range (${ALLOWLIST_EXAMPLE})`
  }
  return { host }
}

function parseUrl(text: string): URL | undefined {
  try {
    const url = new URL(text)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined
  } catch {
    return undefined
  }
}

function formatNetwork(range: IpRange): string {
  if (range.family === 4) return `${[24n, 16n, 8n, 0n].map((shift) => (range.network >> shift) & 0xffn).join('.')}/${range.prefix}`
  const groups = Array.from({ length: 8 }, (_, i) => ((range.network >> BigInt(112 - i * 16)) & 0xffffn).toString(16))
  return `${groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::')}/${range.prefix}`
}

function refuse(reason: string): CallbackTargetResult {
  return { ok: false, reason }
}
