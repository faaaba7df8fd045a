import { clientAuthParams } from './token.schemas.js'

/** RFC 7662 §2.1 request; RFC 7009 §2.1 has the same shape. */
export const tokenParamsBody = {
  type: 'object',
  required: ['token'],
  properties: {
    token: { type: 'string', maxLength: 4096 },
    // Only a hint (RFC 7662 §2.1, RFC 7009 §2.1): the token's format tells us its type, so any value is accepted and ignored.
    token_type_hint: { type: 'string', maxLength: 200 },
    ...clientAuthParams,
  },
} as const

export const introspectRequest = {
  body: tokenParamsBody,
  response: {
    200: {
      type: 'object',
      required: ['active'],
      properties: {
        active: { type: 'boolean' },
        scope: { type: 'string' },
        client_id: { type: 'string' },
        username: { type: 'string' },
        sub: { type: 'string' },
        token_type: { type: 'string' },
        exp: { type: 'integer' },
        iat: { type: 'integer' },
        iss: { type: 'string' },
        aud: { type: 'string' },
        jti: { type: 'string' },
      },
    },
  },
} as const

export interface TokenParamsBody {
  token: string
  token_type_hint?: string
  client_id?: string
  client_secret?: string
}
