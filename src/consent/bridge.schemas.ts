import { csrfBodyProperties } from '../web/index.js'

/** Which installation the host page shows: the workspace and the app. */
export interface BridgeTokenBody {
  workspace: string
  app: string
  csrf_token?: string
}

export interface BridgeDecisionBody extends BridgeTokenBody {
  decision: 'allow' | 'deny'
  /** The scopes the dialog showed. */
  scopes: string[]
}

const name = { type: 'string', minLength: 1, maxLength: 200 } as const
const installation = { workspace: name, app: name, ...csrfBodyProperties } as const

const token = {
  type: 'object',
  required: ['accessToken', 'expiresIn', 'scope'],
  properties: { accessToken: { type: 'string' }, expiresIn: { type: 'integer' }, scope: { type: 'string' } },
} as const

/** Every answer has `outcome`; the rest depends on it (bridge.service.ts `BridgeAnswer`). */
const answer = {
  200: {
    type: 'object',
    required: ['outcome'],
    properties: {
      outcome: { type: 'string', enum: ['allow', 'deny', 'ask'] },
      token,
      message: { type: 'string' },
      consent: {
        type: 'object',
        properties: {
          app: { type: 'object', properties: { key: { type: 'string' }, name: { type: 'string' }, vendor: { type: ['string', 'null'] } } },
          workspace: { type: 'object', properties: { slug: { type: 'string' }, name: { type: 'string' } } },
          scopes: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' }, description: { type: 'string' } } } },
          remembered: { type: 'string', enum: ['app', 'installation'] },
        },
      },
    },
  },
} as const

export const bridgeTokenSchema = {
  body: { type: 'object', required: ['workspace', 'app'], properties: installation, additionalProperties: false },
  response: answer,
} as const

export const bridgeDecisionSchema = {
  body: {
    type: 'object',
    required: ['workspace', 'app', 'decision', 'scopes'],
    properties: {
      ...installation,
      decision: { type: 'string', enum: ['allow', 'deny'] },
      scopes: { type: 'array', maxItems: 100, items: { type: 'string', minLength: 1, maxLength: 100 } },
    },
    additionalProperties: false,
  },
  response: answer,
} as const
