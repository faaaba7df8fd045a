import { csrfBodyProperties } from '../web/index.js'

export interface LabsQuery {
  /** After a toggle: the flag, and whether it is now on or off. */
  flag?: string
  turned?: 'on' | 'off'
}

export interface FlagParams {
  flag: string
}

export interface FlagBody {
  enabled: 'on' | 'off'
  csrf_token?: string
}

const flagName = { type: 'string', minLength: 1, maxLength: 100, pattern: '^[a-z0-9-]+$' } as const

export const labsPageSchema = {
  querystring: {
    type: 'object',
    properties: { flag: flagName, turned: { type: 'string', enum: ['on', 'off'] } },
    additionalProperties: false,
  },
} as const

// An unknown flag name is the service's 404, not a schema 400: a flag may have left the registry.
export const setFlagSchema = {
  params: { type: 'object', required: ['flag'], properties: { flag: flagName }, additionalProperties: false },
  body: {
    type: 'object',
    required: ['enabled'],
    properties: { enabled: { type: 'string', enum: ['on', 'off'] }, ...csrfBodyProperties },
    additionalProperties: false,
  },
} as const
