import { ConfigError } from './errors.js'

/**
 * The only module that reads `process.env`. Every setting is parsed and checked
 * here, before anything listens, and a bad value stops start-up with one line
 * naming the variable.
 */
export interface Config {
  host: string
  port: number
  /** Public base URL; the `iss` of every token and the base of discovery URLs. */
  issuer: string
  databaseUrl: string
  redisUrl: string | undefined
  /** Where the gateway forwards `/2.0/*`; undefined means the in-process sample API. */
  upstreamUrl: string | undefined
  /** The upstream's OpenAPI document (URL or file path); defaults to `${upstreamUrl}/openapi.json`. */
  upstreamOpenApi: string | undefined
  /** `aud` of access tokens: the API they are meant for. */
  audience: string
  accessTokenTtlSeconds: number
  authorizationCodeTtlSeconds: number
  refreshTokenIdleTtlSeconds: number
  refreshTokenAbsoluteTtlSeconds: number
  /** 0 disables it: a used refresh token may be retried for this long without revoking its family. */
  refreshTokenReuseGraceSeconds: number
  sessionTtlSeconds: number
  /** How long an old client secret keeps working after `app rotate-secret`, unless told otherwise. */
  secretRotationGraceSeconds: number
  /** Requests per minute per client address on the token, login and registration endpoints; 0 turns it off. */
  rateLimitPerMinute: number
  /** How often each process polls the shared store for revocations, in ms. */
  revocationPollMs: number
  gatewayCacheSize: number
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  trustProxy: boolean
  /** Seed the demo (admin, user, workspace, app) into an empty database on `serve`. */
  seedDemo: boolean
  /** Whether cookies carry `Secure`; follows the issuer's scheme unless set. */
  secureCookies: boolean
}

type Env = Record<string, string | undefined>

export function loadConfig(env: Env = process.env): Config {
  const host = text(env, 'HOST', '127.0.0.1')
  const port = integer(env, 'PORT', 8080, 0, 65535)
  const issuer = url(env, 'GATEHOUSE_ISSUER', `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '')
  const upstreamUrl = optionalUrl(env, 'GATEHOUSE_UPSTREAM')?.replace(/\/+$/, '')
  const secureCookies = boolean(env, 'GATEHOUSE_SECURE_COOKIES', issuer.startsWith('https:'))
  return {
    host,
    port,
    issuer,
    databaseUrl: databaseUrl(env),
    redisUrl: optionalUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    upstreamUrl,
    upstreamOpenApi: env.GATEHOUSE_UPSTREAM_OPENAPI || undefined,
    audience: text(env, 'GATEHOUSE_AUDIENCE', `${issuer}/2.0`),
    accessTokenTtlSeconds: integer(env, 'GATEHOUSE_ACCESS_TOKEN_TTL', 3600, 60, 86400),
    authorizationCodeTtlSeconds: integer(env, 'GATEHOUSE_CODE_TTL', 60, 10, 600),
    refreshTokenIdleTtlSeconds: integer(env, 'GATEHOUSE_REFRESH_IDLE_TTL', 30 * 86400, 60, 10 * 365 * 86400),
    refreshTokenAbsoluteTtlSeconds: integer(env, 'GATEHOUSE_REFRESH_ABSOLUTE_TTL', 90 * 86400, 60, 10 * 365 * 86400),
    refreshTokenReuseGraceSeconds: integer(env, 'GATEHOUSE_REFRESH_REUSE_GRACE', 0, 0, 60),
    sessionTtlSeconds: integer(env, 'GATEHOUSE_SESSION_TTL', 12 * 3600, 60, 30 * 86400),
    secretRotationGraceSeconds: integer(env, 'GATEHOUSE_SECRET_ROTATION_GRACE', 24 * 3600, 0, 365 * 86400),
    rateLimitPerMinute: integer(env, 'GATEHOUSE_RATE_LIMIT', 300, 0, 10_000_000),
    revocationPollMs: integer(env, 'GATEHOUSE_REVOCATION_POLL_MS', 250, 50, 60_000),
    gatewayCacheSize: integer(env, 'GATEHOUSE_GATEWAY_CACHE_SIZE', 10_000, 0, 10_000_000),
    logLevel: oneOf(env, 'GATEHOUSE_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    trustProxy: boolean(env, 'GATEHOUSE_TRUST_PROXY', false),
    seedDemo: boolean(env, 'GATEHOUSE_SEED_DEMO', true),
    secureCookies,
  }
}

/** Settings for tests and tools: the defaults, overridden field by field. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ GATEHOUSE_LOG_LEVEL: 'silent', PORT: '0' }), ...overrides }
}

function databaseUrl(env: Env): string {
  const value = env.DATABASE_URL
  if (value === undefined || value === '') return 'sqlite:data/gatehouse.db'
  if (/^postgres(ql)?:\/\//.test(value) || /^sqlite:.+/.test(value)) return value
  throw new ConfigError('DATABASE_URL must be postgres://… or sqlite:PATH')
}

function text(env: Env, name: string, fallback: string): string {
  const value = env[name]
  return value === undefined || value === '' ? fallback : value
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = env[name]
  if (value === undefined || value === '') return fallback
  if (!/^\d+$/.test(value)) throw new ConfigError(`${name} must be a whole number, got "${value}"`)
  const parsed = Number(value)
  if (parsed < min || parsed > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${parsed}`)
  return parsed
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const value = env[name]
  if (value === undefined || value === '') return fallback
  if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true
  if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false
  throw new ConfigError(`${name} must be true or false, got "${value}"`)
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const value = env[name]
  if (value === undefined || value === '') return fallback
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${value}"`)
}

function url(env: Env, name: string, fallback: string): string {
  return optionalUrl(env, name) ?? fallback
}

function optionalUrl(env: Env, name: string, protocols = ['http:', 'https:']): string | undefined {
  const value = env[name]
  if (value === undefined || value === '') return undefined
  let parsed: URL
  try {
    parsed = new URL(value)
  } catch {
    throw new ConfigError(`${name} must be a URL, got "${value}"`)
  }
  if (!protocols.includes(parsed.protocol)) throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${value}"`)
  return value
}
