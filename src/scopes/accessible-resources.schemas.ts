import { errorSchema } from '../platform/platform.schemas.js'

const resource = {
  type: 'object',
  required: ['id', 'name', 'url', 'scopes'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: "The workspace's id" },
    name: { type: 'string' },
    url: { type: 'string', description: 'The workspace in the API' },
    scopes: { type: 'array', items: { type: 'string' }, description: "The token's scopes, sorted" },
    avatarUrl: { type: 'string' },
  },
} as const

export const accessibleResourcesSchema = {
  response: {
    200: { type: 'array', items: resource },
    401: errorSchema,
  },
} as const
