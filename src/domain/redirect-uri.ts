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
