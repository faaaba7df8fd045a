import { csrfBodyProperties } from '../web/index.js'

/** The consumer form as posted (application/x-www-form-urlencoded). */
export interface ConsumerFormBody {
  name?: string
  description?: string
  redirect_uris?: string
  homepage_url?: string
  /** Present ("on") when the box is ticked; the edit form does not send it (the type cannot change). */
  is_private?: string
  workspace?: string
  /** One per ticked permission; a single one arrives as a string and is coerced into a list. */
  scope?: string[]
  /** Days the earlier approvals keep working when the permissions grow; '0' or absent: they end now. */
  reconsent_grace?: string
  csrf_token?: string
}

export interface ActionBody {
  /** Where to go afterwards: the list the menu was opened from, or the consumer's page. */
  return_to?: 'list' | 'consumer'
  csrf_token?: string
}

export interface DoneQuery {
  done?: string
}

export interface ConsumerParams {
  client_id: string
}

const clientIdParams = {
  type: 'object',
  required: ['client_id'],
  properties: { client_id: { type: 'string', minLength: 1, maxLength: 200 } },
  additionalProperties: false,
} as const

// Generous limits: the validation rules (src/apps/app-validation.ts) give the readable messages; these only stop abuse.
const formBody = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 1000 },
    description: { type: 'string', maxLength: 5000 },
    redirect_uris: { type: 'string', maxLength: 50_000 },
    homepage_url: { type: 'string', maxLength: 5000 },
    is_private: { type: 'string', maxLength: 10 },
    workspace: { type: 'string', maxLength: 200 },
    scope: { type: 'array', maxItems: 200, items: { type: 'string', maxLength: 200 } },
    reconsent_grace: { type: 'string', enum: ['0', '7', '14', '30'] },
    ...csrfBodyProperties,
  },
  additionalProperties: false,
} as const

/** `?done=` names what just happened; the route maps it to text, so nothing typed into a URL is shown. */
const doneQuery = {
  type: 'object',
  properties: { done: { type: 'string', maxLength: 40 } },
} as const

export const listSchema = { querystring: doneQuery } as const
export const newFormSchema = {} as const
export const createSchema = { body: formBody } as const
export const consumerPageSchema = { params: clientIdParams, querystring: doneQuery } as const
export const editFormSchema = { params: clientIdParams } as const
export const updateSchema = { params: clientIdParams, body: formBody } as const

export const rotateSchema = {
  params: clientIdParams,
  body: { type: 'object', properties: { ...csrfBodyProperties }, additionalProperties: false },
} as const

export const actionSchema = {
  params: {
    type: 'object',
    required: ['client_id', 'action'],
    properties: { client_id: clientIdParams.properties.client_id, action: { type: 'string', enum: ['disable', 'enable', 'delete'] } },
    additionalProperties: false,
  },
  body: {
    type: 'object',
    properties: { return_to: { type: 'string', enum: ['list', 'consumer'] }, ...csrfBodyProperties },
    additionalProperties: false,
  },
} as const
