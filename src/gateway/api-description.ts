import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { readFile } from 'node:fs/promises'
import { CatalogueError, parseScopeCatalogue } from '../domain/scope-catalogue.js'
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
  summary: string | undefined
  /**
   * Its OpenAPI security requirements: a token passes holding every scope of one of them (domain/scope-requirements.ts).
   * `[[]]`: any valid token, no scope. null: public, no token at all.
   */
  requirements: string[][] | null
}

/** What Gatehouse knows of the API it guards, read from its OpenAPI 3.1 document and its scope catalogue. */
export interface ApiDescription {
  /** The scope catalogue: granular scopes, then classic ones with their replacements and deprecation days. */
  scopes: ScopeDefinition[]
  /** Where the catalogue came from: a catalogue file, or the OpenAPI document's OAuth2 scheme. */
  catalogueSource: string
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
 * The API served in this process when there is no upstream: the sample platform's document and catalogue
 * file, handed in by whoever assembles Gatehouse (`buildServer`, the CLI), so the gateway does not depend on it.
 */
export interface BuiltInApi {
  document(config: Config): Record<string, unknown>
  /** Path of its scope catalogue file. */
  catalogue: string
}

/**
 * The built-in API's document, or the upstream's, with the scope catalogue: GATEHOUSE_SCOPE_CATALOGUE, else
 * the built-in API's file, else (an upstream without one) its document's OAuth2 scopes. A failure to
 * read or understand either stops start-up.
 */
export async function loadApiDescription(config: Config, builtIn: BuiltInApi): Promise<ApiDescription> {
  const catalogueFile = config.scopeCatalogue ?? (config.upstreamUrl ? undefined : builtIn.catalogue)
  const catalogue = catalogueFile === undefined ? undefined : { scopes: await readScopeCatalogue(catalogueFile), source: catalogueFile }
  if (!config.upstreamUrl) return describeApi(builtIn.document(config), catalogue)
  const source = config.upstreamOpenApi ?? `${config.upstreamUrl}/openapi.json`
  let document: Record<string, unknown>
  try {
    document = await readOpenApiDocument(source)
  } catch (error) {
    throw new ConfigError(`Cannot load the upstream's OpenAPI document from ${source}: ${(error as Error).message}`)
  }
  try {
    return describeApi(document, catalogue)
  } catch (error) {
    throw new ConfigError(`The upstream's OpenAPI document (${source}) cannot be enforced: ${(error as Error).message}`)
  }
}

/** A scope catalogue file, checked (domain/scope-catalogue.ts); any problem is a ConfigError naming the file. */
export async function readScopeCatalogue(file: string): Promise<ScopeDefinition[]> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ConfigError(`Cannot read the scope catalogue ${file}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`)
  }
  try {
    return parseScopeCatalogue(text)
  } catch (error) {
    if (error instanceof CatalogueError) throw new ConfigError(`The scope catalogue ${file} is invalid: ${error.message}`)
    throw error
  }
}

/**
 * Reads each operation's security requirements, checked against the catalogue (without one, the OAuth2
 * scheme's scopes are the catalogue). Anything the gate could not enforce as written (an operation with
 * no `security` at all, non-OAuth schemes, scopes the catalogue does not know) is refused, naming the
 * operation, rather than guessed.
 */
export function describeApi(document: Record<string, unknown>, catalogue?: { scopes: ScopeDefinition[]; source: string }): ApiDescription {
  if (typeof document.openapi !== 'string' || !document.openapi.startsWith('3.')) {
    throw new ConfigError('The document is not OpenAPI 3 (no "openapi": "3.x" field)')
  }
  const schemes: Json = (document.components as Json | undefined)?.securitySchemes ?? {}
  const scopes = catalogue?.scopes ?? scopeCatalogue(schemes)
  const known = new Set(scopes.map((s) => s.name))
  const catalogueName = catalogue ? `the scope catalogue (${catalogue.source})` : 'the document\'s OAuth2 scopes'
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
      const requirements = securityRequirements(operation.security ?? document.security, schemes, where, known, catalogueName)
      const summary = typeof operation.summary === 'string' ? operation.summary : undefined
      operations.push({ method: method.toUpperCase(), path, operationId, summary, requirements })
    }
  }
  return { scopes, catalogueSource: catalogue?.source ?? 'openapi', operations, document }
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
 * OpenAPI security: a list of alternatives, each a map of scheme → scopes that are all needed. An empty
 * list, or an empty alternative among them (`{}`), means public. No `security` at all, here or at the top of
 * the document, is refused: a vendor must never be left guessing whether an operation needs scopes.
 */
function securityRequirements(security: unknown, schemes: Json, where: string, known: ReadonlySet<string>, catalogueName: string): string[][] | null {
  if (security === undefined) {
    throw new ConfigError(`${where} has no "security": list its scope requirements, or write "security: []" if it needs no token`)
  }
  if (!Array.isArray(security)) throw new ConfigError(`${where}: "security" must be a list`)
  if (security.length === 0) return null
  const requirements: string[][] = []
  for (const alternative of security) {
    if (alternative === null || typeof alternative !== 'object' || Array.isArray(alternative)) {
      throw new ConfigError(`${where}: each "security" requirement must be a map of scheme to scopes`)
    }
    if (Object.keys(alternative).length === 0) return null
    const required = new Set<string>()
    for (const [name, scopes] of Object.entries<unknown>(alternative)) {
      if (!oauthScopes(schemes, name)) throw new ConfigError(`${where} needs the security scheme "${name}", which is not a declared oauth2 scheme`)
      if (!Array.isArray(scopes)) throw new ConfigError(`${where}: the scopes of "${name}" must be a list`)
      for (const scope of scopes) {
        if (typeof scope !== 'string' || !known.has(scope)) {
          throw new ConfigError(`${where} needs the scope "${String(scope)}", which ${catalogueName} does not define`)
        }
        required.add(scope)
      }
    }
    requirements.push([...required])
  }
  return requirements
}

export const apiDescription = fp<{ builtIn: BuiltInApi }>(
  async (server, { builtIn }) => {
    server.decorate('apiDescription', await loadApiDescription(server.config, builtIn))
  },
  { name: 'gatehouse-api-description', dependencies: ['gatehouse-core'] },
)
