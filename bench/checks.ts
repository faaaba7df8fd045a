/**
 * What each benchmark expects of a response. Every response a scenario counts
 * passes through one of these; a refusal, an `{"active":false}` or an error
 * page is cheap to produce and would flatter the figures, so any answer these
 * reject fails the whole run instead of being measured.
 *
 * Each returns undefined when the response is right, or a short reason.
 */

export type Problem = string | undefined

/** The bare-Fastify baseline and the gateway's no-work route: 200 and `{"hello":"world"}`. */
export function checkHelloWorld(status: number, body: string): Problem {
  if (status !== 200) return unexpectedStatus(status, body)
  // The exact bytes both servers send; the parse below only names what was wrong.
  if (body === '{"hello":"world"}') return undefined
  const json = parseObject(body)
  if (!json || json.hello !== 'world' || Object.keys(json).length !== 1) return `expected {"hello":"world"}, got ${excerpt(body)}`
  return undefined
}

/** `GET /2.0/user`: 200 and the user the token acts for. */
export function checkCurrentUser(status: number, body: string, expected: { username: string }): Problem {
  if (status !== 200) return unexpectedStatus(status, body)
  const json = parseObject(body)
  if (!json || json.username !== expected.username) return `expected the user "${expected.username}", got ${excerpt(body)}`
  return undefined
}

/**
 * A token response (RFC 6749 §5.1): 200, a Bearer `access_token` of the
 * expected form (a compact JWS, or an opaque string) and a positive lifetime.
 */
export function checkIssuance(status: number, body: string, expected: { format: 'jwt' | 'opaque' }): Problem {
  if (status !== 200) return unexpectedStatus(status, body)
  const json = parseObject(body)
  if (!json || typeof json.access_token !== 'string' || json.access_token === '') return `expected an access_token, got ${excerpt(body)}`
  if (typeof json.token_type !== 'string' || json.token_type.toLowerCase() !== 'bearer') return `expected token_type Bearer, got ${excerpt(body)}`
  if (typeof json.expires_in !== 'number' || json.expires_in <= 0) return `expected a positive expires_in, got ${excerpt(body)}`
  const isJws = /^[\w-]+\.[\w-]+\.[\w-]+$/.test(json.access_token)
  if (expected.format === 'jwt' && !isJws) return `expected a JWT access token, got ${excerpt(json.access_token)}`
  if (expected.format === 'opaque' && isJws) return `expected an opaque access token, got a JWT`
  return undefined
}

/** An introspection response (RFC 7662 §2.2): 200, `"active":true`, and the token's own client. */
export function checkIntrospection(status: number, body: string, expected: { clientId: string }): Problem {
  if (status !== 200) return unexpectedStatus(status, body)
  const json = parseObject(body)
  if (!json || json.active !== true) return `expected "active":true, got ${excerpt(body)}`
  if (json.client_id !== expected.clientId) return `expected client_id "${expected.clientId}", got ${excerpt(body)}`
  return undefined
}

function unexpectedStatus(status: number, body: string): string {
  return `status ${status}: ${excerpt(body)}`
}

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body)
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

function excerpt(text: string): string {
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)
}
