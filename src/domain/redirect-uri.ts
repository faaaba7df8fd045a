const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost'])
const MAX_LENGTH = 2000

/**
 * Why `uri` cannot be registered as a redirect URI, or undefined when it can.
 * Redirect URIs are later compared as exact strings, so anything a URL parser
 * would quietly normalise (whitespace, `https:host` without slashes) is refused.
 */
export function redirectUriProblem(uri: string): string | undefined {
  if (uri.length > MAX_LENGTH) return `is longer than ${MAX_LENGTH} characters`
  if (/[\s\x00-\x1f\x7f]/.test(uri)) return 'must not contain spaces or control characters'
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return 'is not an absolute URI'
  }
  if (uri.includes('#')) return 'must not contain a fragment'
  if (url.username || url.password) return 'must not contain user information'
  if (url.protocol === 'https:' || url.protocol === 'http:') {
    if (!/^https?:\/\/[^/]/i.test(uri)) return 'is not an absolute URI'
    if (url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname)) return undefined
    return 'must use https; http is allowed only on 127.0.0.1, [::1] or localhost'
  }
  // RFC 8252 §7.1: native apps use a reverse-domain private-use scheme. Requiring
  // the dot also keeps out javascript:, data:, file: and the like.
  if (url.protocol.slice(0, -1).includes('.')) return undefined
  return 'must use https, http on a loopback address, or a private-use scheme such as com.example.app:/callback'
}

/** RFC 8252 §7.3: the loopback IP literals, where a native app listens on whatever port it was given. `localhost` may resolve elsewhere (§8.3). */
const LOOPBACK_REDIRECT = /^http:\/\/(127\.0\.0\.1|\[::1\])(?::([1-9][0-9]{0,4}))?([/?].*)?$/s

/**
 * Whether a redirect URI in an authorization request matches a registered one:
 * exactly (Security BCP §4.1), except that the port of an http loopback IP
 * literal may differ (RFC 8252 §7.3). Scheme, host, path and query still match
 * as exact strings.
 */
export function redirectUriMatches(registered: string, given: string): boolean {
  if (registered === given) return true
  const a = loopbackWithoutPort(registered)
  const b = loopbackWithoutPort(given)
  return a !== undefined && b !== undefined && a.host === b.host && a.rest === b.rest
}

function loopbackWithoutPort(uri: string): { host: string; rest: string } | undefined {
  const match = LOOPBACK_REDIRECT.exec(uri)
  if (!match) return undefined
  const [, host, port, rest = ''] = match
  if (port !== undefined && Number(port) > 65535) return undefined
  return { host, rest }
}
