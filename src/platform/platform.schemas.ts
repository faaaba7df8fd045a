/**
 * JSON schemas of the sample API, used both by the routes (validation,
 * serialisation) and by the OpenAPI document, so the two cannot drift.
 */

/** Workspace and repository slugs: lower-case letters, digits, "_", "." and "-", starting with a letter or digit. */
export const SLUG_PATTERN = '^[a-z0-9][a-z0-9_.-]{0,61}$'
export const ISSUE_STATES = ['new', 'open', 'resolved', 'closed'] as const
export type IssueState = (typeof ISSUE_STATES)[number]
export const MAX_PAGELEN = 100

const slug = { type: 'string', pattern: SLUG_PATTERN } as const
const dateTime = { type: 'string', format: 'date-time' } as const
const content = {
  type: 'object',
  required: ['raw'],
  properties: { raw: { type: 'string', maxLength: 65_536 } },
  additionalProperties: false,
} as const

// ---- Parameters ----

export interface WorkspaceParams {
  workspace: string
}
export interface RepositoryParams extends WorkspaceParams {
  repo_slug: string
}
export interface IssueParams extends RepositoryParams {
  issue_id: number
}
export interface PageQuery {
  page: number
  pagelen: number
}

export const workspaceParams = {
  type: 'object',
  required: ['workspace'],
  properties: { workspace: { ...slug, description: 'The workspace slug' } },
} as const

export const repositoryParams = {
  type: 'object',
  required: ['workspace', 'repo_slug'],
  properties: { ...workspaceParams.properties, repo_slug: { ...slug, description: 'The repository slug' } },
} as const

export const issueParams = {
  type: 'object',
  required: ['workspace', 'repo_slug', 'issue_id'],
  properties: { ...repositoryParams.properties, issue_id: { type: 'integer', minimum: 1, maximum: 2_147_483_647, description: 'The issue number' } },
} as const

export const pageQuery = {
  type: 'object',
  properties: {
    page: { type: 'integer', minimum: 1, maximum: 100_000, default: 1, description: 'The page to return, from 1' },
    pagelen: { type: 'integer', minimum: 1, maximum: MAX_PAGELEN, default: 10, description: 'Items per page' },
  },
} as const

// ---- Request bodies ----

export interface RepositoryCreateBody {
  name?: string
  description?: string
  is_private?: boolean
}
export interface RepositoryUpdateBody {
  name?: string
  description?: string
}
export interface IssueCreateBody {
  title: string
  content?: { raw: string }
  state?: IssueState
}
export interface IssueUpdateBody {
  title?: string
  content?: { raw: string }
  state?: IssueState
}
export interface CommentCreateBody {
  content: { raw: string }
}

const repositoryName = { type: 'string', minLength: 1, maxLength: 100 } as const
const repositoryDescription = { type: 'string', maxLength: 2000 } as const
const issueTitle = { type: 'string', minLength: 1, maxLength: 255 } as const
const issueState = { type: 'string', enum: ISSUE_STATES } as const

export const repositoryCreateBody = {
  type: 'object',
  properties: { name: repositoryName, description: repositoryDescription, is_private: { type: 'boolean', default: true } },
  additionalProperties: false,
} as const

export const repositoryUpdateBody = {
  type: 'object',
  minProperties: 1,
  properties: { name: repositoryName, description: repositoryDescription },
  additionalProperties: false,
} as const

export const issueCreateBody = {
  type: 'object',
  required: ['title'],
  properties: { title: issueTitle, content, state: issueState },
  additionalProperties: false,
} as const

export const issueUpdateBody = {
  type: 'object',
  minProperties: 1,
  properties: { title: issueTitle, content, state: issueState },
  additionalProperties: false,
} as const

export const commentCreateBody = {
  type: 'object',
  required: ['content'],
  properties: { content: { ...content, properties: { raw: { type: 'string', minLength: 1, maxLength: 65_536 } } } },
  additionalProperties: false,
} as const

// ---- Representations ----

export const userSchema = {
  type: 'object',
  required: ['type', 'uuid', 'username', 'display_name', 'created_on'],
  properties: {
    type: { const: 'user' },
    uuid: { type: 'string' },
    username: { type: 'string' },
    display_name: { type: 'string' },
    created_on: dateTime,
  },
} as const

export const workspaceSchema = {
  type: 'object',
  required: ['type', 'uuid', 'slug', 'name', 'created_on'],
  properties: {
    type: { const: 'workspace' },
    uuid: { type: 'string' },
    slug: { type: 'string' },
    name: { type: 'string' },
    created_on: dateTime,
  },
} as const

export const membershipSchema = {
  type: 'object',
  required: ['type', 'role', 'user', 'workspace'],
  properties: {
    type: { const: 'workspace_membership' },
    role: { type: 'string', enum: ['owner', 'member'] },
    user: userSchema,
    workspace: workspaceSchema,
  },
} as const

const repositorySummary = {
  type: 'object',
  required: ['type', 'uuid', 'full_name', 'name'],
  properties: { type: { const: 'repository' }, uuid: { type: 'string' }, full_name: { type: 'string' }, name: { type: 'string' } },
} as const

export const repositorySchema = {
  type: 'object',
  required: ['type', 'uuid', 'slug', 'full_name', 'name', 'description', 'is_private', 'workspace', 'created_on', 'updated_on'],
  properties: {
    ...repositorySummary.properties,
    slug: { type: 'string' },
    description: { type: 'string' },
    is_private: { type: 'boolean' },
    workspace: workspaceSchema,
    created_on: dateTime,
    updated_on: dateTime,
  },
} as const

export const issueSchema = {
  type: 'object',
  required: ['type', 'id', 'title', 'content', 'state', 'reporter', 'repository', 'created_on', 'updated_on'],
  properties: {
    type: { const: 'issue' },
    id: { type: 'integer' },
    title: { type: 'string' },
    content,
    state: issueState,
    reporter: userSchema,
    repository: repositorySummary,
    created_on: dateTime,
    updated_on: dateTime,
  },
} as const

export const commentSchema = {
  type: 'object',
  required: ['type', 'id', 'content', 'user', 'issue', 'created_on'],
  properties: {
    type: { const: 'issue_comment' },
    id: { type: 'string' },
    content,
    user: userSchema,
    issue: { type: 'object', required: ['type', 'id'], properties: { type: { const: 'issue' }, id: { type: 'integer' } } },
    created_on: dateTime,
  },
} as const

/** Bitbucket-style pagination; `next` is absent on the last page. */
export function pageSchema<T extends object>(values: T) {
  return {
    type: 'object',
    required: ['values', 'page', 'pagelen', 'size'],
    properties: {
      values: { type: 'array', items: values },
      page: { type: 'integer' },
      pagelen: { type: 'integer' },
      size: { type: 'integer', description: 'The total number of items' },
      next: { type: 'string', format: 'uri' },
    },
  } as const
}

export const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
} as const

// ---- Installed apps (served by Gatehouse's installations, described here with the rest of the API) ----

/** App keys: lower-case letters, digits, ".", "_" and "-", starting with a letter or digit (src/domain/descriptor.ts). */
export const APP_KEY_PATTERN = '^[a-z0-9][a-z0-9._-]{0,79}$'

export interface AppKeyParams {
  app_key: string
}
export interface InstallationParams extends WorkspaceParams, AppKeyParams {}

export const appKeyParams = {
  type: 'object',
  required: ['app_key'],
  properties: { app_key: { type: 'string', pattern: APP_KEY_PATTERN, description: "The app's key, from its descriptor" } },
} as const

export const installationParams = {
  type: 'object',
  required: ['workspace', 'app_key'],
  properties: { ...workspaceParams.properties, ...appKeyParams.properties },
} as const

export const installationCreateBody = {
  type: 'object',
  required: ['app'],
  properties: { app: { type: 'string', pattern: APP_KEY_PATTERN, description: 'The key of the app to install' } },
  additionalProperties: false,
} as const

export const descriptorRegisterBody = {
  type: 'object',
  description: 'The descriptor, given inline, or the https URL the vendor serves it at (fetched now).',
  properties: {
    url: { type: 'string', format: 'uri', maxLength: 2000 },
    descriptor: { type: 'object' },
  },
  oneOf: [{ required: ['url'] }, { required: ['descriptor'] }],
  additionalProperties: false,
} as const

export const installationSchema = {
  type: 'object',
  required: ['type', 'app', 'workspace', 'state', 'client_key', 'oauth_client_id', 'created_on'],
  properties: {
    type: { const: 'installation' },
    app: { type: 'object', required: ['key', 'name'], properties: { key: { type: 'string' }, name: { type: 'string' } } },
    workspace: { type: 'object', required: ['slug'], properties: { slug: { type: 'string' } } },
    state: { enum: ['installed', 'disabled', 'uninstalled', 'removed'] },
    client_key: { type: 'string' },
    oauth_client_id: { type: 'string' },
    previous_client_key: { type: ['string', 'null'], description: 'The clientKey the app had in the tenant this workspace was imported from' },
    created_on: dateTime,
  },
} as const

export const installedAppSchema = {
  type: 'object',
  required: ['type', 'key', 'name', 'version', 'created', 'changed', 'added_scopes'],
  properties: {
    type: { const: 'installed_app' },
    key: { type: 'string' },
    name: { type: 'string' },
    version: { type: 'integer', description: 'Goes up by one with every change of the descriptor' },
    scopes: { type: 'array', items: { type: 'string' } },
    created: { type: 'boolean' },
    changed: { type: 'boolean' },
    added_scopes: { type: 'array', items: { type: 'string' }, description: 'Scopes this version asks for that the previous one did not' },
  },
} as const

export const deliverySchema = {
  type: 'object',
  required: ['type', 'workspace', 'client_key', 'sequence', 'event', 'state', 'attempts', 'created_on'],
  properties: {
    type: { const: 'callback_delivery' },
    workspace: { type: 'string' },
    client_key: { type: 'string' },
    sequence: { type: 'integer', description: 'The order of callbacks of one installation' },
    event: { enum: ['installed', 'uninstalled', 'enabled', 'disabled'] },
    url: { type: 'string' },
    state: { enum: ['pending', 'delivered', 'failed', 'skipped'] },
    attempts: { type: 'integer' },
    last_status: { type: ['integer', 'null'] },
    last_error: { type: ['string', 'null'] },
    next_attempt_on: { type: ['string', 'null'], format: 'date-time' },
    created_on: dateTime,
  },
} as const
