import { isIPv4, isIPv6 } from 'node:net'

/** An IPv4 or IPv6 address as a number, so ranges are compared with arithmetic rather than text. */
export interface IpAddress {
  family: 4 | 6
  value: bigint
}

/** A CIDR range: the addresses whose first `prefix` bits are the network's. */
export interface IpRange {
  family: 4 | 6
  network: bigint
  prefix: number
}

const MAPPED_PREFIX = 0xffffn

/** An address in the forms `net.isIP` accepts, also in brackets (`[::1]`) or with an IPv6 zone (`fe80::1%eth0`, dropped). */
export function parseIpAddress(text: string): IpAddress | undefined {
  const unbracketed = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text
  if (isIPv4(unbracketed)) return { family: 4, value: unbracketed.split('.').reduce((value, octet) => (value << 8n) | BigInt(octet), 0n) }
  const bare = unbracketed.split('%')[0]
  if (!isIPv6(bare)) return undefined
  return { family: 6, value: ipv6Groups(bare).reduce((value, group) => (value << 16n) | BigInt(group), 0n) }
}

/** An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, as dual-stack sockets and resolvers report IPv4) as the IPv4 address it is. */
export function unmapped(address: IpAddress): IpAddress {
  if (address.family === 6 && address.value >> 32n === MAPPED_PREFIX) return { family: 4, value: address.value & 0xffffffffn }
  return address
}

/** The range of `prefix` bits around an address (host bits cleared), or undefined when the prefix is too long for the family. */
export function ipRange(address: IpAddress, prefix: number): IpRange | undefined {
  const bits = bitsOf(address.family)
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) return undefined
  const hostBits = BigInt(bits - prefix)
  return { family: address.family, network: (address.value >> hostBits) << hostBits, prefix }
}

/** `10.0.0.0/8`, `fd00::/8`, or an address alone (a range of one); undefined when it is neither. Host bits are cleared. */
export function parseIpRange(text: string): IpRange | undefined {
  const [addressText, prefixText, extra] = text.split('/')
  const address = parseIpAddress(addressText)
  if (address === undefined || extra !== undefined) return undefined
  if (prefixText === undefined) return ipRange(address, bitsOf(address.family))
  return /^\d{1,3}$/.test(prefixText) ? ipRange(address, Number(prefixText)) : undefined
}

/** Whether the range holds the address; an IPv4-mapped IPv6 address counts as its IPv4 address. */
export function rangeContains(range: IpRange, address: IpAddress): boolean {
  const candidate = range.family === 4 ? unmapped(address) : address
  if (candidate.family !== range.family) return false
  const hostBits = BigInt(bitsOf(range.family) - range.prefix)
  return candidate.value >> hostBits === range.network >> hostBits
}

/** The eight 16-bit groups of a valid IPv6 address (no zone), `::` expanded and a dotted IPv4 tail converted. */
export function ipv6Groups(address: string): number[] {
  let text = address
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number)
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined]
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : [])
  const front = parse(head)
  const back = parse(tail)
  return tail === undefined ? front : [...front, ...new Array(8 - front.length - back.length).fill(0), ...back]
}

function bitsOf(family: 4 | 6): number {
  return family === 4 ? 32 : 128
}
