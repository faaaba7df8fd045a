import type { Generated, Insertable, Selectable, Updateable } from 'kysely'

/**
 * Every table's shape, declared once. Conventions that keep one set of
 * migrations portable across SQLite and PostgreSQL:
 * - ids are text, made in application code (`newId()`);
 * - instants are epoch milliseconds in `bigint` columns (pg's int8 parser is set to Number);
 * - booleans are integers 0/1;
 * - lists are JSON text (`redirect_uris`, `grant_types`, `scopes`).
 */
export interface UserTable {
  id: string
  username: string
  password_hash: string
  is_admin: number
  display_name: string
  created_at: number
  disabled_at: number | null
  /** 'person', or 'app': the account an installation acts as inside its workspace (it cannot sign in). */
  kind: Generated<string>
}

export interface WorkspaceTable {
  id: string
  slug: string
  name: string
  created_at: number
  /**
   * Who the workspace is as a tenant: installations' clientKeys hang off it. Kept by a restore,
   * replaced by an import; null means the workspace's own id (`tenantOf()`).
   */
  tenant_id: string | null
  /** The tenant an import brought this workspace's content from; null if never imported. */
  previous_tenant_id: string | null
}

export interface WorkspaceMemberTable {
  workspace_id: string
  user_id: string
  /** 'owner' | 'member' */
  role: string
  created_at: number
}

/** An OAuth client ("consumer"). */
export interface AppTable {
  id: string
  client_id: string
  name: string
  owner_id: string | null
  /** 1 for public clients (no secret, PKCE required). */
  is_public: number
  /** 'client_secret_basic' | 'client_secret_post' | 'none' */
  token_endpoint_auth_method: string
  redirect_uris: string
  grant_types: string
  scopes: string
  /** 'cli' | 'dynamic' | 'seed': how the app came to be. */
  created_via: string
  created_at: number
  updated_at: number
  disabled_at: number | null
  /** 1 for a resource server: it may introspect any token (RFC 7662 §1), not only its own. Set by an operator only. */
  is_resource_server: Generated<number>
  /** Shown on the consent page and in the console; may be empty. */
  description: Generated<string>
  homepage_url: string | null
  /** When an administrator verified the app; null: the consent page marks it unverified. */
  verified_at: number | null
  /** The workspace the app belongs to (its administrators manage it too); null for a personal app. */
  workspace_id: string | null
}

/** Secrets of confidential apps; several may be live during a rotation. */
export interface AppSecretTable {
  id: string
  app_id: string
  secret_hash: string
  created_at: number
  /** Null while it is the current secret; set when a rotation schedules its end. */
  expires_at: number | null
}

/** ES256 keys that sign access tokens. */
export interface SigningKeyTable {
  kid: string
  alg: string
  public_jwk: string
  /** The private JWK sealed under a key-encryption key (`src/store/secret-box.ts`); null once the key has stopped signing. */
  private_key_sealed: string | null
  /** Which key-encryption key sealed it. */
  kek_id: string | null
  /** A private JWK in plaintext, left by a version before keys were sealed; start-up seals it and clears this. */
  private_jwk: string | null
  created_at: number
  /** When it starts signing; it is published (JWKS) from `created_at`. */
  activates_at: number
  /** When it stops signing (set ahead, to the next key's activation); null while no successor is scheduled. */
  retired_at: number | null
  /** When it leaves JWKS: retirement plus the longest access-token lifetime. */
  expires_at: number | null
}

/** The RS256 keys that sign lifecycle callbacks to installed apps; separate from the access-token keys. */
export interface ConnectKeyTable {
  kid: string
  /** 'RS256' */
  alg: string
  public_jwk: string
  /** The private JWK sealed under a key-encryption key (context `connect_keys:<kid>`); null once the key has stopped signing. */
  private_key_sealed: string | null
  /** Which key-encryption key sealed it. */
  kek_id: string | null
  created_at: number
  /** When a newer key replaced it; null for the key that signs. */
  retired_at: number | null
  /** When it stops being published: retirement plus a grace period for callbacks still in flight. */
  expires_at: number | null
}

/** Labs: a feature flag an account turned on (src/labs/flags.ts names them); no row means off. */
export interface FeatureFlagTable {
  user_id: string
  flag: string
  enabled_at: number
}

/**
 * What an app's calls through the gateway needed, one row per UTC day, operation and scope: `calls`
 * counts the calls that met a requirement naming the scope ('' for a requirement of no scope).
 */
export interface ScopeUsageTable {
  client_id: string
  /** YYYY-MM-DD, UTC. */
  day: string
  operation_id: string
  scope: string
  calls: number
}

/** A group of users; token permissions are granted to groups (issue 10). `name` is unique. */
export interface GroupTable {
  id: string
  name: string
  /** '' when none was given. */
  description: string
  created_at: number
}

export interface GroupMemberTable {
  group_id: string
  user_id: string
  added_at: number
}

/** One row per permission a group holds (a name from src/domain/token-permissions.ts). */
export interface GroupPermissionTable {
  group_id: string
  permission: string
  granted_at: number
}

export interface SessionTable {
  id: string
  token_hash: string
  user_id: string
  created_at: number
  /** Absolute end; a session also ends once unused for the idle lifetime (see `last_seen_at`). */
  expires_at: number
  /** Last use, written at most once a minute per session, so it is up to a minute behind. */
  last_seen_at: number
  /** Client address and User-Agent of the last recorded use; null for sessions older than the columns. */
  ip_address: string | null
  user_agent: string | null
}

/**
 * One authorization a user (or an app, for client credentials) handed to an
 * app. Refresh-token families, codes and access tokens all hang off a grant,
 * so revoking it revokes everything it issued.
 */
export interface GrantTable {
  id: string
  app_id: string
  user_id: string
  scope: string
  /**
   * 'authorization_code' | 'password' | 'client_credentials' | 'installation' (the JWT grant: tokens act as the
   * installation's app account) | 'impersonation' (jwt-bearer: an installed app acting as a member). A client-credentials grant is the
   * app's own (user_id: its owner, whom the tokens act as), reused by every issuance until it nears
   * its end or is revoked, so an app's tokens can be revoked as one family.
   */
  kind: string
  created_at: number
  /** Absolute end of the refresh-token family. */
  expires_at: number
  revoked_at: number | null
  revoked_reason: string | null
  /** The installation whose JWT grant or impersonation made this grant; uninstalling revokes it. */
  installation_id: string | null
  /** JSON list of the workspace slugs the user let the app reach; null: all of theirs. */
  workspace_slugs: string | null
}

/** A user's allow or deny of an app (or, for a classic add-on, of one installation of it). */
export interface ConsentDecisionTable {
  id: string
  user_id: string
  app_id: string
  /** Set for classic add-ons (descriptor approval "per-installation"); null: every installation, or an OAuth app. */
  installation_id: string | null
  /** 'allow' | 'deny' */
  decision: string
  /** Space-separated: the scopes allowed (or denied). */
  scope: string
  /** JSON list of workspace slugs an OAuth app may reach; null: all of the user's. */
  workspace_slugs: string | null
  /** A re-consent grace period: the approval ends then unless the user approves the new scopes. */
  grace_ends_at: number | null
  created_at: number
  updated_at: number
  last_used_at: number | null
}

export interface AuthorizationCodeTable {
  id: string
  code_hash: string
  grant_id: string
  app_id: string
  user_id: string
  redirect_uri: string
  /** 1 when the authorization request named redirect_uri, so the token request must repeat it. */
  redirect_uri_provided: number
  scope: string
  code_challenge: string | null
  code_challenge_method: string | null
  created_at: number
  expires_at: number
  consumed_at: number | null
}

export interface RefreshTokenTable {
  id: string
  token_hash: string
  grant_id: string
  app_id: string
  user_id: string
  scope: string
  /** The refresh token this one replaced, for audit. */
  parent_id: string | null
  created_at: number
  /** Idle expiry; never later than the grant's absolute expiry. */
  expires_at: number
  used_at: number | null
  revoked_at: number | null
  /**
   * Once used with a reuse grace window on: the successor, sealed under a key derived from this
   * token (which only its holder has), so a retry gets the same successor. Cleared by the prune.
   */
  successor_sealed: string | null
}

/** Initial access tokens for dynamic client registration (RFC 7591 §3). */
export interface RegistrationTokenTable {
  id: string
  token_hash: string
  created_at: number
  expires_at: number
  uses_left: number
}

/**
 * Revocations every process must honour for self-contained access tokens:
 * a single token (`jti`), everything issued under a grant (`grant`), or every
 * token of a user (`user`, by id) or an app (`app`, by client_id) issued at or
 * before `issued_before`. Kept until the last token it could affect has expired.
 * `app_changed` rows are not revocations but notices on the same stream: each
 * process drops what it cached about that app (client authentication, CORS origins).
 */
export interface RevocationTable {
  id: string
  /** 'jti' | 'grant' | 'user' | 'app' | 'app_changed' */
  kind: string
  subject: string
  /** Updated in place for `user`/`app` rows (id `kind:subject`), so each process sees the update in its next poll. */
  created_at: number
  expires_at: number
  /** `user`/`app` only: tokens issued (`iat`) at or before this instant are revoked. */
  issued_before: number | null
  /** `user`/`app` only: increases with every update of the row, so processes apply updates in order. */
  version: Generated<number>
}

export interface RepositoryTable {
  id: string
  workspace_id: string
  slug: string
  name: string
  description: string
  is_private: number
  created_at: number
  updated_at: number
}

export interface IssueTable {
  id: string
  repository_id: string
  number: number
  title: string
  content: string
  /** 'new' | 'open' | 'resolved' | 'closed' */
  state: string
  reporter_id: string
  created_at: number
  updated_at: number
}

export interface IssueCommentTable {
  id: string
  issue_id: string
  author_id: string
  content: string
  created_at: number
}

/** An installed app's descriptor; `app_id` is its backing app (name, owner, scopes, disabled). */
export interface DescriptorTable {
  app_id: string
  key: string
  /** The validated descriptor, as JSON. */
  document: string
  /** Where it was fetched from; null when given as a file. */
  source_url: string | null
  /** 1, then +1 with every update that changes the descriptor. */
  version: number
  created_at: number
  updated_at: number
}

/** An app installed into a workspace; ended ones stay for lineage and stale-identifier checks. */
export interface InstallationTable {
  id: string
  app_id: string
  workspace_id: string
  /** The workspace's tenant at install time: the clientKey is stable per app × tenant. */
  tenant_id: string
  client_key: string
  oauth_client_id: string
  /** The app account the installation acts as inside the workspace. */
  app_user_id: string | null
  /** 'installing' (the app is being asked) | 'installed' | 'disabled' | 'uninstalled' | 'removed' (by an import: no callback) */
  state: string
  /** Sealed under a key-encryption key, context `installations:<id>`; null once ended. */
  shared_secret_sealed: string | null
  kek_id: string | null
  /** The secret a rotation replaced, accepted until `previous_secret_expires_at`. */
  previous_secret_sealed: string | null
  previous_kek_id: string | null
  previous_secret_expires_at: number | null
  /** The clientKey of the same app in the tenant this workspace was imported from. */
  previous_client_key: string | null
  descriptor_version: number
  installed_by: string | null
  created_at: number
  updated_at: number
  ended_at: number | null
}

/** Lifecycle callbacks, delivered in `sequence` order per installation. */
export interface CallbackDeliveryTable {
  id: string
  installation_id: string
  sequence: number
  /** 'installed' | 'uninstalled' | 'enabled' | 'disabled' */
  event: string
  url: string
  /** The JSON body sent. */
  payload: string
  /** 'pending' | 'delivered' | 'failed' (gave up) | 'skipped' (superseded) */
  state: string
  attempts: number
  next_attempt_at: number | null
  last_status: number | null
  last_error: string | null
  created_at: number
  finished_at: number | null
}

/** A security change rolled out progressively (domain/rollout.ts). */
export interface EnforcementTable {
  name: string
  /** 'off' | 'report-only' | 'enforce' */
  mode: string
  /** 0–100: the share of apps (by a stable hash of the app key) it applies to, beside the cohort. */
  percent: number
  /** JSON list of `app:<key>` | `workspace:<slug>`. */
  cohort: string
  updated_at: number
  /** The username (or `cli:<user>`) who made the last change. */
  updated_by: string
}

export interface EnforcementChangeTable {
  id: string
  name: string
  mode: string
  percent: number
  cohort: string
  changed_by: string
  changed_at: number
}

/** A request an enforcement in report-only would have refused; the vendor reads these. */
export interface EnforcementReportTable {
  id: string
  enforcement: string
  app_id: string
  installation_id: string | null
  /** JSON: what was stale, the current value, the request. */
  detail: string
  created_at: number
}

export interface Database {
  users: UserTable
  workspaces: WorkspaceTable
  workspace_members: WorkspaceMemberTable
  apps: AppTable
  app_secrets: AppSecretTable
  signing_keys: SigningKeyTable
  connect_keys: ConnectKeyTable
  descriptors: DescriptorTable
  installations: InstallationTable
  callback_deliveries: CallbackDeliveryTable
  enforcements: EnforcementTable
  enforcement_changes: EnforcementChangeTable
  enforcement_reports: EnforcementReportTable
  consent_decisions: ConsentDecisionTable
  feature_flags: FeatureFlagTable
  scope_usage: ScopeUsageTable
  groups: GroupTable
  group_members: GroupMemberTable
  group_permissions: GroupPermissionTable
  sessions: SessionTable
  grants: GrantTable
  authorization_codes: AuthorizationCodeTable
  refresh_tokens: RefreshTokenTable
  registration_tokens: RegistrationTokenTable
  revocations: RevocationTable
  repositories: RepositoryTable
  issues: IssueTable
  issue_comments: IssueCommentTable
}

export type User = Selectable<UserTable>
export type NewUser = Insertable<UserTable>
export type Workspace = Selectable<WorkspaceTable>
export type AppRow = Selectable<AppTable>
export type InstallationRow = Selectable<InstallationTable>
export type DescriptorRow = Selectable<DescriptorTable>
export type CallbackDeliveryRow = Selectable<CallbackDeliveryTable>
export type ConsentDecisionRow = Selectable<ConsentDecisionTable>
export type GroupRow = Selectable<GroupTable>
export type NewApp = Insertable<AppTable>
export type AppUpdate = Updateable<AppTable>
export type SigningKeyRow = Selectable<SigningKeyTable>
export type GrantRow = Selectable<GrantTable>
export type AuthorizationCodeRow = Selectable<AuthorizationCodeTable>
export type RefreshTokenRow = Selectable<RefreshTokenTable>
export type Repository = Selectable<RepositoryTable>
export type Issue = Selectable<IssueTable>
export type IssueComment = Selectable<IssueCommentTable>
