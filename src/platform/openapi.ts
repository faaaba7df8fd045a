import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Config } from '../config.js'
import { parseScopeCatalogue } from '../domain/scope-catalogue.js'
import type { ScopeDefinition } from '../domain/scopes.js'
import type { BuiltInApi } from '../gateway/api-description.js'
import * as schemas from './platform.schemas.js'

type Schema = Record<string, unknown>

interface OperationSpec {
  method: 'get' | 'post' | 'put' | 'delete'
  path: string
  operationId: string
  summary: string
  tag: 'Users' | 'Workspaces' | 'Repositories' | 'Issues' | 'Apps' | 'Meta'
  /**
   * Two alternative requirements, side by side as the reference platform documents them: the classic one
   * and the granular one. A token passes holding every scope of either. Null: public, no token.
   */
  scopes: { classic: string[]; granular: string[] } | null
  params?: { properties: Record<string, Schema>; required: readonly string[] }
  paged?: boolean
  body?: string
  /** The success status and the component it returns (none for 204). */
  success: [status: 200 | 201 | 204, component?: string]
  conflict?: boolean
  /** The operation waits on an app's answer, which may refuse (502). */
  appAnswers?: boolean
}

const COMPONENTS: Record<string, Schema> = {
  User: schemas.userSchema,
  Workspace: schemas.workspaceSchema,
  WorkspaceMembership: schemas.membershipSchema,
  Repository: schemas.repositorySchema,
  Issue: schemas.issueSchema,
  IssueComment: schemas.commentSchema,
  PaginatedWorkspaces: schemas.pageSchema(ref('Workspace')),
  PaginatedWorkspaceMemberships: schemas.pageSchema(ref('WorkspaceMembership')),
  PaginatedRepositories: schemas.pageSchema(ref('Repository')),
  PaginatedIssues: schemas.pageSchema(ref('Issue')),
  PaginatedIssueComments: schemas.pageSchema(ref('IssueComment')),
  RepositoryCreate: schemas.repositoryCreateBody,
  RepositoryUpdate: schemas.repositoryUpdateBody,
  IssueCreate: schemas.issueCreateBody,
  IssueUpdate: schemas.issueUpdateBody,
  IssueCommentCreate: schemas.commentCreateBody,
  Installation: schemas.installationSchema,
  InstallationCreate: schemas.installationCreateBody,
  InstalledApp: schemas.installedAppSchema,
  DescriptorRegistration: schemas.descriptorRegisterBody,
  CallbackDelivery: schemas.deliverySchema,
  PaginatedInstallations: schemas.pageSchema(ref('Installation')),
  PaginatedCallbackDeliveries: schemas.pageSchema(ref('CallbackDelivery')),
  Error: schemas.errorSchema,
}

const workspace = schemas.workspaceParams
const repository = schemas.repositoryParams
const issue = schemas.issueParams
const installation = schemas.installationParams
const appKey = schemas.appKeyParams

/** The sample API's operations; the gate takes each one's required scopes from `security`. */
const OPERATIONS: OperationSpec[] = [
  { method: 'get', path: '/openapi.json', operationId: 'getOpenApiDocument', summary: 'This document', tag: 'Meta', scopes: null, success: [200] },
  { method: 'get', path: '/user', operationId: 'getCurrentUser', summary: 'The user the token acts for', tag: 'Users', scopes: { classic: ['account'], granular: ['read:user'] }, success: [200, 'User'] },
  { method: 'get', path: '/workspaces', operationId: 'listWorkspaces', summary: "The caller's workspaces", tag: 'Workspaces', scopes: { classic: ['workspace'], granular: ['read:workspace'] }, paged: true, success: [200, 'PaginatedWorkspaces'] },
  { method: 'get', path: '/workspaces/{workspace}', operationId: 'getWorkspace', summary: 'A workspace the caller belongs to', tag: 'Workspaces', scopes: { classic: ['workspace'], granular: ['read:workspace'] }, params: workspace, success: [200, 'Workspace'] },
  { method: 'get', path: '/workspaces/{workspace}/members', operationId: 'listWorkspaceMembers', summary: "A workspace's members and their roles", tag: 'Workspaces', scopes: { classic: ['workspace'], granular: ['read:workspace', 'read:workspace-member'] }, params: workspace, paged: true, success: [200, 'PaginatedWorkspaceMemberships'] },
  { method: 'get', path: '/repositories/{workspace}', operationId: 'listRepositories', summary: "A workspace's repositories", tag: 'Repositories', scopes: { classic: ['repository'], granular: ['read:repository'] }, params: workspace, paged: true, success: [200, 'PaginatedRepositories'] },
  { method: 'post', path: '/repositories/{workspace}/{repo_slug}', operationId: 'createRepository', summary: 'Create a repository', tag: 'Repositories', scopes: { classic: ['repository:write'], granular: ['write:repository'] }, params: repository, body: 'RepositoryCreate', success: [201, 'Repository'], conflict: true },
  { method: 'get', path: '/repositories/{workspace}/{repo_slug}', operationId: 'getRepository', summary: 'A repository', tag: 'Repositories', scopes: { classic: ['repository'], granular: ['read:repository'] }, params: repository, success: [200, 'Repository'] },
  { method: 'put', path: '/repositories/{workspace}/{repo_slug}', operationId: 'updateRepository', summary: "Change a repository's name or description", tag: 'Repositories', scopes: { classic: ['repository:write'], granular: ['write:repository'] }, params: repository, body: 'RepositoryUpdate', success: [200, 'Repository'] },
  { method: 'delete', path: '/repositories/{workspace}/{repo_slug}', operationId: 'deleteRepository', summary: 'Delete a repository (workspace owners only)', tag: 'Repositories', scopes: { classic: ['repository:write'], granular: ['delete:repository'] }, params: repository, success: [204] },
  { method: 'get', path: '/repositories/{workspace}/{repo_slug}/issues', operationId: 'listIssues', summary: "A repository's issues", tag: 'Issues', scopes: { classic: ['issue'], granular: ['read:issue'] }, params: repository, paged: true, success: [200, 'PaginatedIssues'] },
  { method: 'post', path: '/repositories/{workspace}/{repo_slug}/issues', operationId: 'createIssue', summary: 'Report an issue', tag: 'Issues', scopes: { classic: ['issue:write'], granular: ['write:issue'] }, params: repository, body: 'IssueCreate', success: [201, 'Issue'] },
  { method: 'get', path: '/repositories/{workspace}/{repo_slug}/issues/{issue_id}', operationId: 'getIssue', summary: 'An issue', tag: 'Issues', scopes: { classic: ['issue'], granular: ['read:issue'] }, params: issue, success: [200, 'Issue'] },
  { method: 'put', path: '/repositories/{workspace}/{repo_slug}/issues/{issue_id}', operationId: 'updateIssue', summary: "Change an issue's title, content or state", tag: 'Issues', scopes: { classic: ['issue:write'], granular: ['write:issue'] }, params: issue, body: 'IssueUpdate', success: [200, 'Issue'] },
  { method: 'get', path: '/repositories/{workspace}/{repo_slug}/issues/{issue_id}/comments', operationId: 'listIssueComments', summary: "An issue's comments", tag: 'Issues', scopes: { classic: ['issue'], granular: ['read:issue', 'read:issue-comment'] }, params: issue, paged: true, success: [200, 'PaginatedIssueComments'] },
  { method: 'post', path: '/repositories/{workspace}/{repo_slug}/issues/{issue_id}/comments', operationId: 'createIssueComment', summary: 'Comment on an issue', tag: 'Issues', scopes: { classic: ['issue:write'], granular: ['write:issue-comment'] }, params: issue, body: 'IssueCommentCreate', success: [201, 'IssueComment'] },
  { method: 'get', path: '/workspaces/{workspace}/installations', operationId: 'listInstallations', summary: 'The apps installed in a workspace', tag: 'Apps', scopes: { classic: ['workspace'], granular: ['read:installation'] }, params: workspace, paged: true, success: [200, 'PaginatedInstallations'] },
  { method: 'post', path: '/workspaces/{workspace}/installations', operationId: 'installApp', summary: 'Install an app (workspace owners only); it exists once the app accepts its installed callback', tag: 'Apps', scopes: { classic: ['workspace:admin'], granular: ['write:installation'] }, params: workspace, body: 'InstallationCreate', success: [201, 'Installation'], conflict: true, appAnswers: true },
  { method: 'delete', path: '/workspaces/{workspace}/installations/{app_key}', operationId: 'uninstallApp', summary: 'Uninstall an app (workspace owners only)', tag: 'Apps', scopes: { classic: ['workspace:admin'], granular: ['delete:installation'] }, params: installation, success: [204] },
  { method: 'post', path: '/apps', operationId: 'registerApp', summary: "Register or update an installed app from its descriptor (the caller publishes it)", tag: 'Apps', scopes: { classic: ['app:write'], granular: ['write:app'] }, body: 'DescriptorRegistration', success: [200, 'InstalledApp'] },
  { method: 'get', path: '/apps/{app_key}/deliveries', operationId: 'listAppDeliveries', summary: "An app's lifecycle callback log, newest first (its publisher only)", tag: 'Apps', scopes: { classic: ['app'], granular: ['read:app-delivery'] }, params: appKey, paged: true, success: [200, 'PaginatedCallbackDeliveries'] },
]

/** The sample platform's scope catalogue file, versioned beside this document. */
export const SAMPLE_SCOPE_CATALOGUE = fileURLToPath(new URL('./scope-catalogue.yml', import.meta.url))

let sampleScopes: ScopeDefinition[] | undefined

/** The sample platform: its document and its catalogue file, for the gateway and the CLI. */
export const sampleApi: BuiltInApi = { document: sampleOpenApiDocument, catalogue: SAMPLE_SCOPE_CATALOGUE }

/**
 * The sample platform API's OpenAPI 3.1 document; `security` names the scopes each operation needs. Its
 * OAuth2 scheme lists every scope of the catalogue, so OpenAPI tools show them with their descriptions.
 */
export function sampleOpenApiDocument(config: Config): Record<string, unknown> {
  sampleScopes ??= parseScopeCatalogue(readFileSync(SAMPLE_SCOPE_CATALOGUE, 'utf8'))
  const paths: Record<string, Record<string, unknown>> = {}
  for (const spec of OPERATIONS) (paths[spec.path] ??= {})[spec.method] = operation(spec)
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sample platform API',
      version: '2.0',
      description: 'A small code-hosting API in the spirit of Bitbucket 2.0, guarded by Gatehouse. Each operation lists two security requirements, the classic scopes and the granular ones; a token passes when it holds every scope of one of them (a token holding only some is refused). A write scope does not include reading. See /docs/scopes.',
    },
    servers: [{ url: `${config.issuer}/2.0` }],
    tags: [{ name: 'Users' }, { name: 'Workspaces' }, { name: 'Repositories' }, { name: 'Issues' }, { name: 'Apps' }, { name: 'Meta' }],
    components: {
      securitySchemes: {
        oauth2: {
          type: 'oauth2',
          flows: {
            authorizationCode: {
              authorizationUrl: `${config.issuer}/oauth/authorize`,
              tokenUrl: `${config.issuer}/oauth/token`,
              refreshUrl: `${config.issuer}/oauth/token`,
              scopes: Object.fromEntries(sampleScopes.map((scope) => [scope.name, scope.description])),
            },
          },
        },
      },
      schemas: COMPONENTS,
      responses: {
        BadRequest: errorResponse('The request is malformed: a parameter or the body failed validation'),
        Unauthorized: errorResponse('No access token, or one that is malformed, expired or revoked (see WWW-Authenticate)'),
        Forbidden: errorResponse('The token lacks a scope this operation needs (WWW-Authenticate names them), or the caller may not do this'),
        NotFound: errorResponse('No such object, or the caller is not a member of its workspace'),
        Conflict: errorResponse('The object already exists'),
        AppRefused: errorResponse("The app did not accept its lifecycle callback; the message says what it answered, and nothing changed"),
      },
    },
    paths,
  }
}

function operation(spec: OperationSpec): Record<string, unknown> {
  const [status, component] = spec.success
  const responses: Record<string, unknown> = {
    [status]: component
      ? { description: spec.summary, content: { 'application/json': { schema: ref(component) } } }
      : { description: spec.summary, ...(status === 200 ? { content: { 'application/json': { schema: { type: 'object' } } } } : {}) },
  }
  if (spec.params || spec.paged || spec.body) responses['400'] = { $ref: '#/components/responses/BadRequest' }
  if (spec.scopes) {
    responses['401'] = { $ref: '#/components/responses/Unauthorized' }
    responses['403'] = { $ref: '#/components/responses/Forbidden' }
  }
  if (spec.params || spec.path === '/user') responses['404'] = { $ref: '#/components/responses/NotFound' }
  if (spec.conflict) responses['409'] = { $ref: '#/components/responses/Conflict' }
  if (spec.appAnswers) responses['502'] = { $ref: '#/components/responses/AppRefused' }
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    tags: [spec.tag],
    security: spec.scopes ? [{ oauth2: spec.scopes.classic }, { oauth2: spec.scopes.granular }] : [],
    parameters: [...parameters('path', spec.params), ...(spec.paged ? parameters('query', schemas.pageQuery) : [])],
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: ref(spec.body) } } } } : {}),
    responses,
  }
}

/** OpenAPI parameters from the same JSON schema the route validates with. */
function parameters(location: 'path' | 'query', schema?: { properties: Record<string, Schema>; required?: readonly string[] }) {
  if (!schema) return []
  return Object.entries(schema.properties).map(([name, { description, ...rest }]) => ({
    name,
    in: location,
    required: location === 'path' || (schema.required?.includes(name) ?? false),
    ...(description ? { description } : {}),
    schema: rest,
  }))
}

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: ref('Error') } } }
}

function ref(name: string) {
  return { $ref: `#/components/schemas/${name}` }
}
