import { csrfBodyProperties } from '../web/index.js'
import type { CallbackQuery, TokenKind } from './playground.service.js'

export interface StartQuery {
  scope?: string[]
}

export interface TokenActionBody {
  token: TokenKind
  csrf_token?: string
}

export interface CsrfOnlyBody {
  csrf_token?: string
}

export type { CallbackQuery }

const value = { type: 'string', maxLength: 2000 } as const

/** Step 1's form (a GET: it builds a URL, and replaces only this browser's walk-through). */
export const startSchema = {
  querystring: {
    type: 'object',
    additionalProperties: false,
    // A single ticked box arrives as a string; Fastify's validator makes it a one-item array.
    properties: { scope: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 200 } } },
  },
} as const

/**
 * What the authorization server sends back (RFC 6749 §4.1.2, RFC 9207). Extra parameters are allowed:
 * a server may add its own, and a client ignores what it does not know.
 */
export const callbackSchema = {
  querystring: {
    type: 'object',
    properties: { code: value, state: value, iss: value, error: value, error_description: value },
  },
} as const

export const actionSchema = {
  body: { type: 'object', additionalProperties: false, properties: { ...csrfBodyProperties } },
} as const

export const tokenActionSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['token'],
    properties: { token: { type: 'string', enum: ['access_token', 'refresh_token'] }, ...csrfBodyProperties },
  },
} as const
