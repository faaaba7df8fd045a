import { csrfBodyProperties } from '../web/index.js'

export const USER_ACTIONS = ['disable', 'enable', 'delete', 'make-admin', 'remove-admin'] as const
export const APP_ACTIONS = ['disable', 'enable', 'delete', 'verify', 'unverify'] as const
export type UserAction = (typeof USER_ACTIONS)[number]
export type AppAction = (typeof APP_ACTIONS)[number]

/** Where a list stands: the search and the page; action forms send it back so the list comes back the same. */
export interface ListState {
  q?: string
  page?: number
}

/** A list page's query: where it stands, and what was just done (`done`, naming `name`) for the notice. */
export interface ListQuery<Done extends string> extends ListState {
  done?: Done
  name?: string
}

export type ActionFormBody = ListState & { csrf_token?: string }

export interface CreateUserBody {
  csrf_token?: string
  username?: string
  display_name?: string
  password_choice?: 'generate' | 'set'
  password?: string
  is_admin?: 'on'
}

const search = { type: 'string', maxLength: 200 } as const
const page = { type: 'integer', minimum: 1, maximum: 1_000_000 } as const
const listState = { q: search, page } as const

function listQuery(done: readonly string[]) {
  return { type: 'object', additionalProperties: false, properties: { ...listState, done: { type: 'string', enum: done }, name: { type: 'string', maxLength: 200 } } } as const
}

const actionBody = { type: 'object', additionalProperties: false, properties: { ...csrfBodyProperties, ...listState } } as const
const username = { type: 'string', minLength: 1, maxLength: 100 } as const
const clientId = { type: 'string', minLength: 1, maxLength: 200 } as const

export const userListSchema = { querystring: listQuery([...USER_ACTIONS, 'created']) } as const
export const appListSchema = { querystring: listQuery(APP_ACTIONS) } as const
export const workspaceListSchema = { querystring: { type: 'object', additionalProperties: false, properties: { page } } } as const
export const workspaceSchema = {
  params: { type: 'object', required: ['slug'], properties: { slug: { type: 'string', minLength: 1, maxLength: 100 } } },
  querystring: { type: 'object', additionalProperties: false, properties: { page } },
} as const

export const userActionSchema = {
  params: { type: 'object', required: ['username', 'action'], properties: { username, action: { type: 'string', enum: USER_ACTIONS } } },
  body: actionBody,
} as const

export const resetPasswordSchema = {
  params: { type: 'object', required: ['username'], properties: { username } },
  body: actionBody,
} as const

export const appActionSchema = {
  params: { type: 'object', required: ['client_id', 'action'], properties: { client_id: clientId, action: { type: 'string', enum: APP_ACTIONS } } },
  body: actionBody,
} as const

// Generous limits: the rules in createUser give the message next to the field; these only stop abuse.
export const createUserSchema = {
  body: {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...csrfBodyProperties,
      username: { type: 'string', maxLength: 200 },
      display_name: { type: 'string', maxLength: 1000 },
      password_choice: { type: 'string', enum: ['generate', 'set'] },
      password: { type: 'string', maxLength: 1024 },
      is_admin: { type: 'string', enum: ['on'] },
    },
  },
} as const
