import type { FastifyRequest } from 'fastify'
import { OAuthError } from '../errors.js'

/** RFC 7591 §2 client metadata we understand; unknown fields are ignored, as §2 requires. */
export const registrationRequest = {
  body: {
    type: 'object',
    properties: {
      redirect_uris: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 2000 } },
      client_name: { type: 'string', maxLength: 200 },
      grant_types: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 100 } },
      response_types: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 100 } },
      token_endpoint_auth_method: { type: 'string', maxLength: 100 },
      scope: { type: 'string', maxLength: 2000 },
    },
  },
} as const

export interface ClientMetadata {
  redirect_uris?: string[]
  client_name?: string
  grant_types?: string[]
  response_types?: string[]
  token_endpoint_auth_method?: string
  scope?: string
}

export interface RegistrationResponse {
  client_id: string
  client_secret?: string
  client_id_issued_at: number
  client_secret_expires_at?: number
  client_name: string
  redirect_uris: string[]
  grant_types: string[]
  response_types: string[]
  token_endpoint_auth_method: string
  scope: string
}

/**
 * RFC 7591 §3.1: the metadata is a JSON document. A form body would parse, and
 * Ajv's coercion would turn its strings into one-element arrays that pass the schema.
 */
export async function requireJsonBody(request: FastifyRequest): Promise<void> {
  const type = request.headers['content-type']?.split(';')[0].trim().toLowerCase()
  if (type !== 'application/json') throw new OAuthError('invalid_client_metadata', 'The client metadata must be sent as application/json')
}
