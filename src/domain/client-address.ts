import { isIPv4, isIPv6 } from 'node:net'

/**
 * The key failures from a client address are counted under. IPv4 addresses count alone; IPv6
 * addresses count by their /64, because one subscriber is routinely given a whole /64 (RFC 6177)
 * and could otherwise draw a fresh address for every guess. An IPv4-mapped IPv6 address
 * (`::ffff:192.0.2.1`, as a dual-stack socket reports IPv4 peers) counts as the IPv4 address.
 */
export function addressKey(address: string): string {
  if (isIPv4(address)) return address
  const bare = address.split('%')[0]
  if (!isIPv6(bare)) return address
  const groups = ipv6Groups(bare)
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.')
  }
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`
}

/** The eight 16-bit groups of a valid IPv6 address, `::` expanded and a dotted IPv4 tail converted. */
function ipv6Groups(address: string): number[] {
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
