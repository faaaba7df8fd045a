import { AUTHORIZATION_PARAMETERS, type RawParameters } from '../domain/authorization-request.js'
import { csrfBodyProperties } from '../web/index.js'

// A repeated parameter arrives as an array and must reach the service, which refuses it the RFC 6749 way.
const parameter = {
  anyOf: [
    { type: 'string', maxLength: 2048 },
    { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 2048 } },
  ],
} as const

const authorizationProperties = Object.fromEntries(AUTHORIZATION_PARAMETERS.map((name) => [name, parameter]))

export type AuthorizeQuery = RawParameters

/** `workspace_access` and `workspaces` (the ticked slugs) are the consent page's choice of workspaces, when it offered one. */
export type DecisionBody = RawParameters & { decision: 'allow' | 'deny'; csrf_token?: string; workspace_access?: 'all' | 'some'; workspaces?: string[] }

export const authorizeSchema = {
  // Other parameters (nonce, login_hint…) are allowed through and ignored (RFC 6749 §3.1).
  querystring: { type: 'object', properties: authorizationProperties },
}

export const decisionSchema = {
  body: {
    type: 'object',
    required: ['decision'],
    properties: {
      ...authorizationProperties,
      ...csrfBodyProperties,
      decision: { type: 'string', enum: ['allow', 'deny'] },
      workspace_access: { type: 'string', enum: ['all', 'some'] },
      // One ticked box arrives as a string; Fastify's validator makes it a list of one.
      workspaces: { type: 'array', maxItems: 200, items: { type: 'string', maxLength: 100 } },
    },
  },
}
