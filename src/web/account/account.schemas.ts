import { csrfBodyProperties } from '../csrf.js'

export interface ProfileQuery {
  saved?: string
}

export interface ProfileBody {
  display_name: string
  csrf_token?: string
}

export interface PasswordQuery {
  /** Set after a change: how many other sessions it ended. */
  ended?: number
}

export interface PasswordBody {
  current_password: string
  new_password: string
  confirm_password: string
  csrf_token?: string
}

export interface SessionsQuery {
  /** How many sessions the last action ended. */
  ended?: number
}

export interface SessionParams {
  id: string
}

export interface CsrfOnlyBody {
  csrf_token?: string
}

const endedCount = { type: 'integer', minimum: 0, maximum: 1_000_000 } as const

export const profilePageSchema = {
  querystring: { type: 'object', properties: { saved: { type: 'string', enum: ['1'] } }, additionalProperties: false },
} as const

// Lengths here only bound the request; the rules (and their messages next to the field) are the service's.
export const profileFormSchema = {
  body: {
    type: 'object',
    required: ['display_name'],
    properties: { display_name: { type: 'string', maxLength: 2000 }, ...csrfBodyProperties },
    additionalProperties: false,
  },
} as const

export const passwordPageSchema = {
  querystring: { type: 'object', properties: { ended: endedCount }, additionalProperties: false },
} as const

export const passwordFormSchema = {
  body: {
    type: 'object',
    required: ['current_password', 'new_password', 'confirm_password'],
    properties: {
      current_password: { type: 'string', maxLength: 4096 },
      new_password: { type: 'string', maxLength: 4096 },
      confirm_password: { type: 'string', maxLength: 4096 },
      ...csrfBodyProperties,
    },
    additionalProperties: false,
  },
} as const

export const sessionsPageSchema = {
  querystring: { type: 'object', properties: { ended: endedCount }, additionalProperties: false },
} as const

export const endSessionSchema = {
  params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100 } }, additionalProperties: false },
  body: { type: 'object', properties: { ...csrfBodyProperties }, additionalProperties: false },
} as const

export const endOtherSessionsSchema = {
  body: { type: 'object', properties: { ...csrfBodyProperties }, additionalProperties: false },
} as const
