import { csrfBodyProperties } from '../web/index.js'

export interface AppAuthorizationsQuery {
  /** After a revocation: what ended, and the app's client_id (its name is looked up, so nothing typed into a URL is shown). */
  ended?: 'approval' | 'denial'
  app?: string
}

export interface DecisionParams {
  id: string
}

export interface CsrfOnlyBody {
  csrf_token?: string
}

export interface AppParams {
  client_id: string
}

export const appAuthorizationsPageSchema = {
  querystring: {
    type: 'object',
    properties: { ended: { type: 'string', enum: ['approval', 'denial'] }, app: { type: 'string', minLength: 1, maxLength: 200 } },
    additionalProperties: false,
  },
} as const

export const revokeDecisionSchema = {
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 } }, additionalProperties: false },
  body: { type: 'object', properties: { ...csrfBodyProperties }, additionalProperties: false },
} as const

export const adminDecisionsSchema = {
  params: { type: 'object', required: ['client_id'], properties: { client_id: { type: 'string', minLength: 1, maxLength: 200 } }, additionalProperties: false },
} as const
