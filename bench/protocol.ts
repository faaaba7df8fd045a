/**
 * What the runner and the servers it starts tell each other: the runner passes
 * the start options as one JSON argument, and each server prints one line
 * `READY {json}` once it listens.
 */

/** A confidential app (OAuth client) the pools draw from. */
export interface BenchApp {
  clientId: string
  clientSecret: string
  /** The user its client-credentials tokens act for. */
  username: string
}

export interface GatehouseStartOptions {
  databaseFile: string
  /** Settings by their environment variable names, over the shipped defaults. */
  env: Record<string, string>
  /** Create this many users and apps before printing READY. */
  setup?: { users: number; apps: number }
}

/** The settings in force, as the server read them: the runner checks its scenarios against them. */
export interface GatehouseSettings {
  rateLimitPerMinute: number
  gatewayCacheSize: number
  /** Whether the failure throttles are on; undefined for a server without them. */
  throttle?: boolean
}

export interface GatehouseStarted {
  url: string
  settings: GatehouseSettings
  apps?: BenchApp[]
}

export interface OidcProviderStartOptions {
  clients: number
}

export interface OidcProviderStarted {
  url: string
  clients: BenchApp[]
  /** The `resource` to ask for an ES256 JWT access token, and for an opaque one. */
  resources: { jwt: string; opaque: string }
}
