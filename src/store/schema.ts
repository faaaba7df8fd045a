import type { Insertable, Selectable, Updateable } from 'kysely'

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
}

export interface WorkspaceTable {
  id: string
  slug: string
  name: string
  created_at: number
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
  private_jwk: string
  public_jwk: string
  created_at: number
  /** When it stopped signing; null for the active key. */
  retired_at: number | null
  /** When it leaves JWKS: retirement plus the longest access-token lifetime. */
  expires_at: number | null
}

export interface SessionTable {
  id: string
  token_hash: string
  user_id: string
  created_at: number
  expires_at: number
  last_seen_at: number
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
  /** 'authorization_code' | 'password' */
  kind: string
  created_at: number
  /** Absolute end of the refresh-token family. */
  expires_at: number
  revoked_at: number | null
  revoked_reason: string | null
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
 * a single token (`jti`) or everything issued under a grant (`grant`).
 * Kept until the last token it could affect has expired.
 */
export interface RevocationTable {
  id: string
  /** 'jti' | 'grant' */
  kind: string
  subject: string
  created_at: number
  expires_at: number
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

export interface Database {
  users: UserTable
  workspaces: WorkspaceTable
  workspace_members: WorkspaceMemberTable
  apps: AppTable
  app_secrets: AppSecretTable
  signing_keys: SigningKeyTable
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
export type NewApp = Insertable<AppTable>
export type AppUpdate = Updateable<AppTable>
export type SigningKeyRow = Selectable<SigningKeyTable>
export type GrantRow = Selectable<GrantTable>
export type AuthorizationCodeRow = Selectable<AuthorizationCodeTable>
export type RefreshTokenRow = Selectable<RefreshTokenTable>
export type Repository = Selectable<RepositoryTable>
export type Issue = Selectable<IssueTable>
export type IssueComment = Selectable<IssueCommentTable>
