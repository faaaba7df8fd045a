import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import type { ScopeDefinition } from '../domain/scopes.js'
import { ConfigError } from '../errors.js'
import { readOpenApiDocument } from './openapi-source.js'

/** Where the guarded API is served; OpenAPI paths are relative to it. */
export const API_BASE_PATH = '/2.0'

/** One operation of the protected API and the scopes it needs. */
export interface ApiOperation {
  method: string
  /** OpenAPI path template, e.g. `/repositories/{workspace}/{repo_slug}` (relative to the server's base path). */
  path: string
  operationId: string
  /** Every scope listed is needed; null means the operation is public. */
  requiredScopes: string[] | null
}

/** What Gatehouse knows of the API it guards, read from its OpenAPI 3.1 document. */
export interface ApiDescription {
  /** The scope catalogue: the OAuth2 security scheme's scopes, with descriptions. */
  scopes: ScopeDefinition[]
  operations: ApiOperation[]
  document: Record<string, unknown>
}

declare module 'fastify' {
  interface FastifyInstance {
    apiDescription: ApiDescription
  }
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const

type Json = Record<string, any>

/**
 * The document of the API served in this process when there is no upstream: the sample platform's,
 * handed in by whoever assembles Gatehouse (`buildServer`, the CLI), so the gateway does not depend on it.
 */
export type BuiltInApiDocument = (config: Config) => Record<string, unknown>

/** The built-in API's document, or the upstream's (a failure to fetch or understand it stops start-up). */
export async function loadApiDescription(config: Config, builtIn: BuiltInApiDocument): Promise<ApiDescription> {
  if (!config.upstreamUrl) return describeApi(builtIn(config))
  const source = config.upstreamOpenApi ?? `${config.upstreamUrl}/openapi.json`
  let document: Record<string, unknown>
  try {
    document = await readOpenApiDocument(source)
  } catch (error) {
    throw new ConfigError(`Cannot load the upstream's OpenAPI document from ${source}: ${(error as Error).message}`)
  }
  try {
    return describeApi(document)
  } catch (error) {
    throw new ConfigError(`The upstream's OpenAPI document (${source}) cannot be enforced: ${(error as Error).message}`)
  }
}

/**
 * Reads the scope catalogue and each operation's required scopes. Anything the
 * gate could not enforce as written (alternative requirements, non-OAuth
 * schemes, scopes the scheme does not define) is refused rather than guessed.
 */
export function describeApi(document: Record<string, unknown>): ApiDescription {
  if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.')) {
    throw new ConfigError('The document is not OpenAPI 3 (no "openapi": "3.x" field)')
  }
  const schemes: Json = (document.components as Json | undefined)?.securitySchemes ?? {}
  const scopes = scopeCatalogue(schemes)
  const operations: ApiOperation[] = []
  const seen = new Set<string>()
  for (const [path, item] of Object.entries<Json>((document.paths as Json | undefined) ?? {})) {
    if (!path.startsWith('/')) throw new ConfigError(`The path "${path}" does not start with "/"`)
    for (const method of HTTP_METHODS) {
      const operation: Json | undefined = item?.[method]
      if (!operation) continue
      const operationId = typeof operation.operationId === 'string' ? operation.operationId : `${method.toUpperCase()} ${path}`
      if (seen.has(operationId)) throw new ConfigError(`The operationId "${operationId}" is used twice`)
      seen.add(operationId)
      const where = `${method.toUpperCase()} ${path}`
      const requiredScopes = requirementScopes(operation.security ?? document.security, schemes, where)
      operations.push({ method: method.toUpperCase(), path, operationId, requiredScopes })
    }
  }
  return { scopes, operations, document }
}

/** `/repositories/{workspace}` → `/2.0/repositories/:workspace`; a literal ":" is escaped for Fastify's router. */
export function routePath(operationPath: string): string {
  return API_BASE_PATH + operationPath.replace(/:/g, '::').replace(/\{([^}]+)\}/g, ':$1')
}

function scopeCatalogue(schemes: Json): ScopeDefinition[] {
  const scopes: ScopeDefinition[] = []
  for (const name of Object.keys(schemes)) {
    for (const [scope, description] of Object.entries(oauthScopes(schemes, name) ?? {})) {
      if (!scopes.some((s) => s.name === scope)) scopes.push({ name: scope, description })
    }
  }
  return scopes
}

/** The scopes an OAuth2 scheme defines across its flows, or undefined if `name` is not an OAuth2 scheme. */
function oauthScopes(schemes: Json, name: string): Record<string, string> | undefined {
  const scheme = schemes[name]
  if (scheme?.type !== 'oauth2') return undefined
  const scopes: Record<string, string> = {}
  for (const flow of Object.values<Json>(scheme.flows ?? {})) Object.assign(scopes, flow?.scopes ?? {})
  return scopes
}

/**
 * OpenAPI security: a list of alternatives, each a map of scheme → scopes that
 * are all needed. No list, an empty list, or an empty alternative means public.
 */
function requirementScopes(security: unknown, schemes: Json, where: string): string[] | null {
  if (security === undefined) return null
  if (!Array.isArray(security)) throw new ConfigError(`${where}: "security" must be a list`)
  if (security.length === 0) return null
  if (security.length > 1) {
    throw new ConfigError(`${where} lists ${security.length} alternative security requirements; the gate enforces exactly one`)
  }
  const required = new Set<string>()
  for (const [name, scopes] of Object.entries<unknown>(security[0] ?? {})) {
    const defined = oauthScopes(schemes, name)
    if (!defined) throw new ConfigError(`${where} needs the security scheme "${name}", which is not a declared oauth2 scheme`)
    if (!Array.isArray(scopes)) throw new ConfigError(`${where}: the scopes of "${name}" must be a list`)
    for (const scope of scopes) {
      if (typeof scope !== 'string' || !(scope in defined)) {
        throw new ConfigError(`${where} needs the scope "${String(scope)}", which the "${name}" scheme does not define`)
      }
      required.add(scope)
    }
  }
  return Object.keys(security[0] ?? {}).length === 0 ? null : [...required]
}

export const apiDescription = fp<{ builtIn: BuiltInApiDocument }>(
  async (server, { builtIn }) => {
    server.decorate('apiDescription', await loadApiDescription(server.config, builtIn))
  },
  { name: 'gatehouse-api-description', dependencies: ['gatehouse-core'] },
)
