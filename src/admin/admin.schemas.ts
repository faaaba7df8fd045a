import { csrfBodyProperties } from '../web/csrf.js'

export interface AdminFormBody {
  csrf_token?: string
}

const formBody = { type: 'object', properties: { ...csrfBodyProperties } } as const

export const userActionSchema = {
  params: { type: 'object', required: ['username', 'action'], properties: { username: { type: 'string', maxLength: 100 }, action: { type: 'string', enum: ['disable', 'enable', 'delete'] } } },
  body: formBody,
} as const

export const appActionSchema = {
  params: { type: 'object', required: ['client_id', 'action'], properties: { client_id: { type: 'string', maxLength: 200 }, action: { type: 'string', enum: ['disable', 'enable', 'delete'] } } },
  body: formBody,
} as const

export type AdminAction = 'disable' | 'enable' | 'delete'
