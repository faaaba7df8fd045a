import { csrfBodyProperties } from './csrf.js'

export interface LoginQuery {
  return_to?: string
  /** `1` when an app asked for a fresh sign-in (`prompt=login`) while the browser was signed in. */
  again?: string
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
  querystring: { type: 'object', properties: { return_to: returnTo, again: { type: 'string', maxLength: 1 } } },
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
