import { BoundedCache } from '../domain/bounded-cache.js'
import type { Clock } from '../domain/clock.js'
import { ACT_AS_USER, type Descriptor } from '../domain/descriptor.js'
import { scopeSet, type ScopeSet } from '../domain/scopes.js'
import type { Db } from '../store/database.js'
import type { Keyring } from '../store/secret-box.js'
import { isLive, toInstallation, type Installation } from './installation.js'
import { usableSharedSecrets } from './installation-secrets.js'
import * as queries from './installation-directory.queries.js'

/** The app an installation belongs to, as verifying its requests sees it. */
export interface InstalledApp {
  /** The backing `apps` row's id. */
  id: string
  /** The descriptor key, which is also the backing app's client_id. */
  key: string
  /** The API scopes of the descriptor (never act_as_user, which is not an API scope). */
  scopes: ScopeSet
  disabled: boolean
  /** The descriptor asks for act_as_user: the app may impersonate the workspace's users. */
  actsAsUser: boolean
}

/** An installation with what verifying its app's JWTs and assertions needs. */
export interface InstallationWithSecrets {
  installation: Installation
  app: InstalledApp
  workspaceSlug: string
  /**
   * HS256 keys the app may sign with now: the current shared secret, then the previous one during a
   * rotation's grace. Empty for an ended installation, which holds no secret.
   */
  secrets: readonly Uint8Array[]
}

export interface InstallationDirectoryDeps {
  db: Db
  clock: Clock
  /** The key-encryption keys the shared secrets are sealed under. */
  keyring: Keyring
}

export interface InstallationDirectoryOptions {
  /**
   * How long a look-up by issuer is reused. An uninstall or disable in any process must stop the
   * app within about a second, and the gate's revocation list (the app account revoked) only covers
   * processes that have polled it, so the cache itself never holds longer than this.
   */
  cacheMs: number
  maxEntries: number
}

const DEFAULTS: InstallationDirectoryOptions = { cacheMs: 1000, maxEntries: 1000 }
const encoder = new TextEncoder()

/**
 * Finds installations for the app JWT authenticator and the installation grants. Look-ups by issuer
 * (every API call of an installed app) are cached briefly, so a busy app costs one query a second;
 * look-ups by oauthClientId (impersonation, rare) always read the database.
 */
export class InstallationDirectory {
  readonly #byIssuer: BoundedCache<InstallationWithSecrets[]>
  /** Bumped by `forgetAll`: a look-up that read the database before it must not cache what it read. */
  #generation = 0

  constructor(
    private readonly deps: InstallationDirectoryDeps,
    private readonly options: InstallationDirectoryOptions = DEFAULTS,
  ) {
    this.#byIssuer = new BoundedCache(options.maxEntries)
  }

  /**
   * The live installations an app JWT's `iss` (and `sub`) can name, usually one. `fresh` skips the
   * cache: after a signature failure on cached secrets, a rotation may have just replaced them.
   */
  async byIssuer(iss: string, sub: string | undefined, { fresh = false } = {}): Promise<{ candidates: InstallationWithSecrets[]; fromCache: boolean }> {
    const key = `${iss}\n${sub ?? ''}`
    const now = this.deps.clock.now()
    const cached = fresh ? undefined : this.#byIssuer.get(key, now)
    if (cached) return { candidates: cached, fromCache: true }
    const generation = this.#generation
    const rows = await queries.findLiveInstallationsByIssuer(this.deps.db, iss, sub)
    const candidates = rows.map((row) => this.#withSecrets(row))
    // No installation is not cached: an app installed a moment ago (in another process) must work at once.
    if (candidates.length > 0 && generation === this.#generation) this.#byIssuer.set(key, candidates, this.#reusableUntil(rows, now))
    return { candidates, fromCache: false }
  }

  /** The installation that was given this oauthClientId, live or ended. */
  async byOauthClientId(oauthClientId: string): Promise<InstallationWithSecrets | undefined> {
    const row = await queries.findInstallationByOauthClientId(this.deps.db, oauthClientId)
    return row && this.#withSecrets(row)
  }

  /** The app's live installation in a workspace, if it has one. */
  async liveOf(appId: string, workspaceId: string): Promise<InstallationWithSecrets | undefined> {
    const row = await queries.findLiveInstallationOf(this.deps.db, appId, workspaceId)
    return row && this.#withSecrets(row)
  }

  /** An app changed somewhere (installed, uninstalled, disabled, its secret rotated): read everything afresh. */
  forgetAll(): void {
    this.#generation++
    this.#byIssuer.clear()
  }

  #withSecrets(row: queries.InstallationWithAppRow): InstallationWithSecrets {
    const installation = toInstallation(row)
    const secrets = isLive(installation) ? usableSharedSecrets(this.deps.keyring, row, this.deps.clock) : []
    return {
      installation,
      app: {
        id: row.app_id,
        key: row.app_key,
        scopes: scopeSet(JSON.parse(row.app_scopes) as string[]),
        disabled: row.app_disabled_at !== null,
        actsAsUser: descriptorScopes(row.descriptor_document).includes(ACT_AS_USER),
      },
      workspaceSlug: row.workspace_slug,
      secrets: secrets.map((secret) => encoder.encode(secret)),
    }
  }

  /** Never past the end of a previous secret's grace, so a cached list never holds a secret that has stopped working. */
  #reusableUntil(rows: readonly queries.InstallationWithAppRow[], now: number): number {
    let until = now + this.options.cacheMs
    for (const row of rows) {
      const graceEnd = row.previous_secret_expires_at
      if (row.previous_secret_sealed !== null && graceEnd !== null && graceEnd > now) until = Math.min(until, graceEnd)
    }
    return until
  }
}

/** The scopes a stored descriptor document asks for; documents are validated before they are stored. */
function descriptorScopes(document: string | null): readonly string[] {
  if (document === null) return []
  const scopes = (JSON.parse(document) as Partial<Descriptor>).scopes
  return Array.isArray(scopes) ? scopes : []
}
