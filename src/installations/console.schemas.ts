import { csrfBodyProperties } from '../web/index.js'

/** Request shapes of the installed-apps console pages. Names and keys are checked by the look-ups (a 404 page), not here. */

export type InstallationAction = 'disable' | 'enable' | 'uninstall' | 'rotate-secret'
export const INSTALLATION_ACTIONS: readonly InstallationAction[] = ['disable', 'enable', 'uninstall', 'rotate-secret']

export interface WorkspaceParams {
  slug: string
}

export interface InstallationParams extends WorkspaceParams {
  key: string
}

export interface ModuleParams extends InstallationParams {
  module: string
}

export interface ActionParams extends InstallationParams {
  action: InstallationAction
}

export interface AppKeyParams {
  key: string
}

export interface EnforcementParams {
  name: string
}

/** `?done=` names what just happened (mapped to text by the route); `app` or `name` what it happened to, looked up, never shown as typed. */
export interface DoneQuery {
  done?: string
  app?: string
  /** An enforcement's name. */
  name?: string
}

export interface InstallBody {
  app?: string
  csrf_token?: string
}

export interface DescriptorFormBody {
  url?: string
  json?: string
  csrf_token?: string
}

export interface EnforcementFormBody {
  mode?: string
  percent?: string
  cohort?: string
  csrf_token?: string
}

const name = { type: 'string', minLength: 1, maxLength: 200 } as const

const workspaceParams = { type: 'object', required: ['slug'], properties: { slug: name }, additionalProperties: false } as const

const appKeyParams = { type: 'object', required: ['key'], properties: { key: name }, additionalProperties: false } as const

const doneQuery = {
  type: 'object',
  properties: { done: { type: 'string', maxLength: 40 }, app: { type: 'string', maxLength: 200 }, name: { type: 'string', maxLength: 200 } },
} as const

const csrfOnly = { type: 'object', properties: { ...csrfBodyProperties }, additionalProperties: false } as const

export const workspaceListSchema = { querystring: doneQuery } as const
export const workspaceAppsSchema = { params: workspaceParams, querystring: doneQuery } as const

export const installSchema = {
  params: workspaceParams,
  body: { type: 'object', properties: { app: { type: 'string', maxLength: 200 }, ...csrfBodyProperties }, additionalProperties: false },
} as const

export const actionSchema = {
  params: {
    type: 'object',
    required: ['slug', 'key', 'action'],
    properties: { slug: name, key: name, action: { type: 'string', enum: INSTALLATION_ACTIONS } },
    additionalProperties: false,
  },
  body: csrfOnly,
} as const

export const moduleSchema = {
  params: { type: 'object', required: ['slug', 'key', 'module'], properties: { slug: name, key: name, module: name }, additionalProperties: false },
} as const

export const developerListSchema = { querystring: doneQuery } as const

// Generous limits: the descriptor rules (src/domain/descriptor.ts) give the readable messages; these only stop abuse.
export const registerSchema = {
  body: {
    type: 'object',
    properties: { url: { type: 'string', maxLength: 2000 }, json: { type: 'string', maxLength: 100_000 }, ...csrfBodyProperties },
    additionalProperties: false,
  },
} as const

export const developerAppSchema = { params: appKeyParams, querystring: doneQuery } as const
export const refreshSchema = {
  params: appKeyParams,
  body: { type: 'object', properties: { reconsent_grace: { type: 'string', enum: ['0', '7', '14', '30'] }, ...csrfBodyProperties }, additionalProperties: false },
} as const

export interface RefreshBody {
  /** Days people's earlier approvals keep working if the new version asks for more scopes; '0': they end now. */
  reconsent_grace?: string
}

export const enforcementListSchema = { querystring: doneQuery } as const
export const enforcementSetSchema = {
  params: { type: 'object', required: ['name'], properties: { name }, additionalProperties: false },
  body: {
    type: 'object',
    properties: {
      mode: { type: 'string', maxLength: 40 },
      percent: { type: 'string', maxLength: 40 },
      cohort: { type: 'string', maxLength: 20_000 },
      ...csrfBodyProperties,
    },
    additionalProperties: false,
  },
} as const

