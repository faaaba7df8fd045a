import { parseCallbackAllowlist, type CallbackAllowlist } from './domain/callback-target.js'
import { demoSeedDecision } from './domain/demo-seed-policy.js'
import { CLASSIC_SCOPE_MODES, type ClassicScopeMode } from './domain/scopes.js'
import { EXPLICIT_CONSENT_MODES, type ExplicitConsentMode } from './domain/explicit-consent.js'
import { secretPrefixProblem } from './domain/opaque-token.js'
import { parseProxyTrust, type ProxyTrust } from './domain/proxy-trust.js'
import { ConfigError } from './errors.js'
import { DEFAULT_DATABASE_URL } from './store/embedded-database.js'
import { parseKek, type KeyEncryptionKey } from './store/secret-box.js'

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
  /** The scope catalogue file (GATEHOUSE_SCOPE_CATALOGUE); undefined: the built-in API's, or an upstream document's OAuth2 scopes. */
  scopeCatalogue: string | undefined
  /** What the gate does with classic scopes past their deprecation day (GATEHOUSE_CLASSIC_SCOPES). */
  classicScopes: ClassicScopeMode
  /** `aud` of access tokens: the API they are meant for. */
  audience: string
  accessTokenTtlSeconds: number
  authorizationCodeTtlSeconds: number
  refreshTokenIdleTtlSeconds: number
  refreshTokenAbsoluteTtlSeconds: number
  /** 0 disables it: a used refresh token may be retried for this long without revoking its family. */
  refreshTokenReuseGraceSeconds: number
  sessionTtlSeconds: number
  /** A session unused for this long ends, whatever its absolute end (`sessionTtlSeconds`). */
  sessionIdleTtlSeconds: number
  /** How long an old client secret keeps working after `app rotate-secret`, unless told otherwise. */
  secretRotationGraceSeconds: number
  /** A plain request cap per client address and minute on dynamic registration; 0 turns it off. Sign-in and token requests are throttled by their failures instead. */
  rateLimitPerMinute: number
  /** The failure throttles below, all at once (tests and benchmarks turn them off). */
  throttle: boolean
  /** Failed sign-ins (form or password grant) for one username within a window that lock it; 0 turns it off. */
  signInFailuresPerAccount: number
  /** Failed sign-ins from one client address within a window that lock it; 0 turns it off. */
  signInFailuresPerAddress: number
  /** Failed client authentications (token, introspection, revocation) from one address within a window that lock it; 0 turns it off. */
  clientAuthFailuresPerAddress: number
  /** Requests with an invalid bearer token from one address within a minute that lock it out of the API; 0 turns it off. */
  invalidTokensPerMinute: number
  /** How long failures are counted together (from the first) for the sign-in and client throttles. */
  failureWindowSeconds: number
  /** The first lock; each further failure doubles it. */
  failureLockSeconds: number
  /** The longest lock. */
  failureLockMaxSeconds: number
  /** Password checks (scrypt) running at once; more wait in a queue. */
  passwordHashConcurrency: number
  /** Password checks waiting their turn; beyond, sign-in answers 503 with Retry-After. */
  passwordHashQueue: number
  /** How often each process polls the shared store for revocations, in ms. */
  revocationPollMs: number
  gatewayCacheSize: number
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Which peers may set the client address with X-Forwarded-For: none, a hop count, or addresses/ranges (src/domain/proxy-trust.ts). */
  trustProxy: ProxyTrust
  /**
   * Seed the demo (admin, user, workspace, app) into an empty database on `serve`; only ever done on
   * the embedded SQLite database on a loopback address. Undefined (unset): when that holds, silently.
   */
  seedDemo: boolean | undefined
  /**
   * The playground at /playground, which walks a person through the authorization-code flow. On by
   * default exactly where the demo is seeded (`demoSeedDecision`); GATEHOUSE_PLAYGROUND sets it.
   */
  playground: boolean
  /** Bearer token `/metrics` requires; without one, a listener beyond loopback does not serve metrics. */
  metricsToken: string | undefined
  /** How long a graceful shutdown may take before the process exits anyway, in seconds. */
  shutdownTimeoutSeconds: number
  /** Whether cookies carry `Secure`; follows the issuer's scheme unless set. */
  secureCookies: boolean
  /** The first part of every secret Gatehouse issues (`gth_rt_…`); see docs/secret-scanning.md. */
  secretPrefix: string
  /** The key-encryption key for secrets at rest, given inline. With neither it nor `kekFile`, start-up decides (`src/store/key-encryption-keys.ts`). */
  kek: KeyEncryptionKey | undefined
  /** A file holding the key-encryption key. */
  kekFile: string | undefined
  /** Earlier key-encryption keys, still read until `gatehouse keys rewrap` has moved every record off them. */
  previousKeks: KeyEncryptionKey[]
  /** A file listing earlier key-encryption keys, one a line. */
  previousKekFile: string | undefined
  /** The password grant (RFC 6749 §4.3) exists only when the deployment turns it on. */
  allowPasswordGrant: boolean
  /** Non-public hosts and ranges lifecycle callbacks may reach (GATEHOUSE_CALLBACK_ALLOWLIST; src/domain/callback-target.ts). */
  callbackAllowlist: CallbackAllowlist
  /**
   * Explicit consent for embedded apps' requests (GATEHOUSE_EXPLICIT_CONSENT): `on` for everyone, or `labs`,
   * only where the app's vendor and the user both opted in on their Labs page (src/domain/explicit-consent.ts).
   */
  explicitConsent: ExplicitConsentMode
  /**
   * How long an embedded app's consent dialog waits for Allow or Deny before the request fails with
   * ACCESS_TOKEN_REQUEST_FAILED (GATEHOUSE_CONSENT_TIMEOUT, seconds; src/consent/bridge.routes.ts).
   */
  consentTimeoutSeconds: number
}

type Env = Record<string, string | undefined>

export function loadConfig(env: Env = process.env): Config {
  const host = text(env, 'HOST', '127.0.0.1')
  const port = integer(env, 'PORT', 8080, 0, 65535)
  const issuer = url(env, 'GATEHOUSE_ISSUER', `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '')
  const upstreamUrl = optionalUrl(env, 'GATEHOUSE_UPSTREAM')?.replace(/\/+$/, '')
  const secureCookies = boolean(env, 'GATEHOUSE_SECURE_COOKIES', issuer.startsWith('https:'))
  const seedDemo = optionalBoolean(env, 'GATEHOUSE_SEED_DEMO')
  const database = databaseUrl(env)
  return {
    host,
    port,
    issuer,
    databaseUrl: database,
    redisUrl: optionalUrl(env, 'REDIS_URL', ['redis:', 'rediss:']),
    upstreamUrl,
    upstreamOpenApi: env.GATEHOUSE_UPSTREAM_OPENAPI || undefined,
    scopeCatalogue: env.GATEHOUSE_SCOPE_CATALOGUE || undefined,
    classicScopes: oneOf(env, 'GATEHOUSE_CLASSIC_SCOPES', CLASSIC_SCOPE_MODES, 'warn'),
    audience: text(env, 'GATEHOUSE_AUDIENCE', `${issuer}/2.0`),
    accessTokenTtlSeconds: integer(env, 'GATEHOUSE_ACCESS_TOKEN_TTL', 3600, 60, 86400),
    authorizationCodeTtlSeconds: integer(env, 'GATEHOUSE_CODE_TTL', 60, 10, 600),
    refreshTokenIdleTtlSeconds: integer(env, 'GATEHOUSE_REFRESH_IDLE_TTL', 30 * 86400, 60, 10 * 365 * 86400),
    refreshTokenAbsoluteTtlSeconds: integer(env, 'GATEHOUSE_REFRESH_ABSOLUTE_TTL', 90 * 86400, 60, 10 * 365 * 86400),
    refreshTokenReuseGraceSeconds: integer(env, 'GATEHOUSE_REFRESH_REUSE_GRACE', 0, 0, 60),
    sessionTtlSeconds: integer(env, 'GATEHOUSE_SESSION_TTL', 12 * 3600, 60, 30 * 86400),
    sessionIdleTtlSeconds: integer(env, 'GATEHOUSE_SESSION_IDLE_TTL', 2 * 3600, 300, 30 * 86400),
    secretRotationGraceSeconds: integer(env, 'GATEHOUSE_SECRET_ROTATION_GRACE', 24 * 3600, 0, 365 * 86400),
    rateLimitPerMinute: integer(env, 'GATEHOUSE_RATE_LIMIT', 300, 0, 10_000_000),
    throttle: boolean(env, 'GATEHOUSE_THROTTLE', true),
    signInFailuresPerAccount: integer(env, 'GATEHOUSE_SIGNIN_FAILURES_PER_ACCOUNT', 5, 0, 1000),
    signInFailuresPerAddress: integer(env, 'GATEHOUSE_SIGNIN_FAILURES_PER_ADDRESS', 20, 0, 100_000),
    clientAuthFailuresPerAddress: integer(env, 'GATEHOUSE_CLIENT_AUTH_FAILURES_PER_ADDRESS', 20, 0, 100_000),
    invalidTokensPerMinute: integer(env, 'GATEHOUSE_INVALID_TOKENS_PER_MINUTE', 100, 0, 10_000_000),
    failureWindowSeconds: integer(env, 'GATEHOUSE_FAILURE_WINDOW', 900, 10, 86400),
    failureLockSeconds: integer(env, 'GATEHOUSE_FAILURE_LOCK', 30, 1, 86400),
    failureLockMaxSeconds: failureLockMax(env),
    passwordHashConcurrency: integer(env, 'GATEHOUSE_PASSWORD_HASH_CONCURRENCY', 2, 1, 64),
    passwordHashQueue: integer(env, 'GATEHOUSE_PASSWORD_HASH_QUEUE', 32, 0, 10_000),
    revocationPollMs: integer(env, 'GATEHOUSE_REVOCATION_POLL_MS', 250, 50, 60_000),
    gatewayCacheSize: integer(env, 'GATEHOUSE_GATEWAY_CACHE_SIZE', 10_000, 0, 10_000_000),
    logLevel: oneOf(env, 'GATEHOUSE_LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    trustProxy: proxyTrust(env),
    seedDemo,
    playground: boolean(env, 'GATEHOUSE_PLAYGROUND', demoSeedDecision({ seedDemo, databaseUrl: database, host }).seed),
    metricsToken: secret(env, 'GATEHOUSE_METRICS_TOKEN', 16),
    shutdownTimeoutSeconds: integer(env, 'GATEHOUSE_SHUTDOWN_TIMEOUT', 10, 1, 3600),
    secureCookies,
    secretPrefix: secretPrefix(env),
    kek: kek(env),
    kekFile: text(env, 'GATEHOUSE_KEK_FILE', '') || undefined,
    previousKeks: keks(env, 'GATEHOUSE_KEK_PREVIOUS'),
    previousKekFile: text(env, 'GATEHOUSE_KEK_PREVIOUS_FILE', '') || undefined,
    allowPasswordGrant: boolean(env, 'GATEHOUSE_ALLOW_PASSWORD_GRANT', false),
    callbackAllowlist: callbackAllowlist(env),
    explicitConsent: oneOf(env, 'GATEHOUSE_EXPLICIT_CONSENT', EXPLICIT_CONSENT_MODES, 'on'),
    consentTimeoutSeconds: integer(env, 'GATEHOUSE_CONSENT_TIMEOUT', 60, 1, 3600),
  }
}

/** Settings for tests and tools: the defaults, overridden field by field. */
export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ GATEHOUSE_LOG_LEVEL: 'silent', PORT: '0' }), ...overrides }
}

function databaseUrl(env: Env): string {
  const value = env.DATABASE_URL
  if (value === undefined || value === '') return DEFAULT_DATABASE_URL
  if (/^postgres(ql)?:\/\//.test(value) || /^sqlite:.+/.test(value)) return value
  throw new ConfigError('DATABASE_URL must be postgres://… or sqlite:PATH')
}

function secretPrefix(env: Env): string {
  const value = text(env, 'GATEHOUSE_SECRET_PREFIX', 'gth')
  const problem = secretPrefixProblem(value)
  if (problem) throw new ConfigError(`GATEHOUSE_SECRET_PREFIX ${problem}, got "${value}"`)
  return value
}

// Messages about keys never echo the value.
function kek(env: Env): KeyEncryptionKey | undefined {
  if (env.GATEHOUSE_KEK && env.GATEHOUSE_KEK_FILE) throw new ConfigError('GATEHOUSE_KEK and GATEHOUSE_KEK_FILE are both set; use one')
  if (!env.GATEHOUSE_KEK) return undefined
  const key = parseKek(env.GATEHOUSE_KEK)
  if (!key) throw new ConfigError('GATEHOUSE_KEK must be 32 bytes in base64 or hex (e.g. from `openssl rand -base64 32`)')
  return key
}

/** Earlier key-encryption keys given inline, comma-separated. */
function keks(env: Env, name: string): KeyEncryptionKey[] {
  const items = (env[name] ?? '').split(',').map((item) => item.trim()).filter(Boolean)
  return items.map((item, i) => {
    const key = parseKek(item)
    if (!key) throw new ConfigError(`${name}: key ${i + 1} must be 32 bytes in base64 or hex`)
    return key
  })
}

function proxyTrust(env: Env): ProxyTrust {
  const parsed = parseProxyTrust(env.GATEHOUSE_TRUST_PROXY ?? '')
  if ('problem' in parsed) throw new ConfigError(`GATEHOUSE_TRUST_PROXY ${parsed.problem}`)
  return parsed.trust
}

function callbackAllowlist(env: Env): CallbackAllowlist {
  const parsed = parseCallbackAllowlist(env.GATEHOUSE_CALLBACK_ALLOWLIST ?? '')
  if ('problem' in parsed) throw new ConfigError(`GATEHOUSE_CALLBACK_ALLOWLIST ${parsed.problem}`)
  return parsed.allowlist
}

function failureLockMax(env: Env): number {
  const first = integer(env, 'GATEHOUSE_FAILURE_LOCK', 30, 1, 86400)
  return integer(env, 'GATEHOUSE_FAILURE_LOCK_MAX', Math.max(900, first), first, 7 * 86400)
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
  return optionalBoolean(env, name) ?? fallback
}

function optionalBoolean(env: Env, name: string): boolean | undefined {
  const value = env[name]
  if (value === undefined || value === '') return undefined
  if (['1', 'true', 'yes', 'on'].includes(value.toLowerCase())) return true
  if (['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false
  throw new ConfigError(`${name} must be true or false, got "${value}"`)
}

function secret(env: Env, name: string, minLength: number): string | undefined {
  const value = env[name]
  if (value === undefined || value === '') return undefined
  if (value.length < minLength || /\s/.test(value)) throw new ConfigError(`${name} must be at least ${minLength} characters without spaces`)
  return value
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
