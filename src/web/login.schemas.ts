import { csrfBodyProperties } from './csrf.js'

export interface LoginQuery {
  return_to?: string
}

export interface LoginBody {
  username: string
  password: string
  return_to?: string
  csrf_token?: string
}

export interface CsrfBody {
  csrf_token?: string
}

const returnTo = { type: 'string', maxLength: 4096 } as const

export const loginPageSchema = {
  querystring: { type: 'object', properties: { return_to: returnTo } },
} as const

export const loginSchema = {
  body: {
    type: 'object',
    required: ['username', 'password'],
    properties: {
      username: { type: 'string', maxLength: 100 },
      password: { type: 'string', maxLength: 1024 },
      return_to: returnTo,
      ...csrfBodyProperties,
    },
  },
} as const

export const logoutSchema = {
  body: { type: 'object', properties: { ...csrfBodyProperties } },
} as const
