import { isIPv4, isIPv6 } from 'node:net'
import { ipv6Groups } from './cidr.js'

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
