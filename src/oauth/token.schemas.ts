import type { FastifyRequest } from 'fastify'
import { OAuthError } from '../errors.js'

/** A form parameter: one string (a repeated parameter arrives as an array and fails, RFC 6749 §3.1). */
const param = (maxLength: number) => ({ type: 'string', maxLength }) as const

export const clientAuthParams = {
  client_id: param(200),
  client_secret: param(200),
} as const

export const tokenRequest = {
  body: {
    type: 'object',
    required: ['grant_type'],
    properties: {
      grant_type: param(200),
      code: param(200),
      redirect_uri: param(2000),
      code_verifier: param(200),
      refresh_token: param(200),
      scope: param(2000),
      username: param(200),
      password: param(1000),
      // RFC 7523 §2.1: the jwt-bearer grant's signed assertion.
      assertion: param(8000),
      ...clientAuthParams,
    },
  },
  response: {
    200: {
      type: 'object',
      required: ['access_token', 'token_type', 'expires_in', 'scope'],
      properties: {
        access_token: { type: 'string' },
        token_type: { type: 'string' },
        expires_in: { type: 'integer' },
        scope: { type: 'string' },
        refresh_token: { type: 'string' },
        workspaces: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const

/**
 * The token, introspection and revocation endpoints take form bodies only
 * (RFC 6749 §3.2, RFC 7662 §2.1, RFC 7009 §2.1); a JSON body would otherwise
 * parse and pass the schema.
 */
export async function requireFormBody(request: FastifyRequest): Promise<void> {
  const type = request.headers['content-type']?.split(';')[0].trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError('invalid_request', 'The request body must be application/x-www-form-urlencoded')
  }
}
