import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import type { ScopeDefinition } from '../domain/scopes.js'
import { sampleOpenApiDocument } from '../platform/openapi.js'

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

export async function loadApiDescription(config: Config): Promise<ApiDescription> {
  // TODO(gateway): load config.upstreamOpenApi / `${upstreamUrl}/openapi.json` when an upstream is set.
  return describeApi(sampleOpenApiDocument(config))
}

export function describeApi(document: Record<string, unknown>): ApiDescription {
  const schemes = (document.components as any)?.securitySchemes ?? {}
  const scopes: ScopeDefinition[] = []
  for (const scheme of Object.values<any>(schemes)) {
    if (scheme?.type !== 'oauth2') continue
    for (const flow of Object.values<any>(scheme.flows ?? {})) {
      for (const [name, description] of Object.entries<string>(flow.scopes ?? {})) {
        if (!scopes.some((s) => s.name === name)) scopes.push({ name, description })
      }
    }
  }
  return { scopes, operations: [], document }
}

export const apiDescription = fp(
  async (app) => {
    app.decorate('apiDescription', await loadApiDescription(app.config))
  },
  { name: 'gatehouse-api-description', dependencies: ['gatehouse-core'] },
)
