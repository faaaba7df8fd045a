import { scopeSet, unknownScopes, type ScopeDefinition } from '../domain/scopes.js'
import { redirectUriProblem } from '../domain/redirect-uri.js'
import { BadRequestError } from '../errors.js'
import type { GrantType, TokenEndpointAuthMethod } from './app.js'

/** The metadata field a validation failure is about, so RFC 7591 can tell invalid_redirect_uri from the rest. */
export type AppField = 'name' | 'redirect_uris' | 'grant_types' | 'scopes' | 'token_endpoint_auth_method' | 'owner' | 'resource_server' | 'description' | 'homepage_url' | 'workspace'

export class AppValidationError extends BadRequestError {
  constructor(readonly field: AppField, message: string) {
    super(message)
  }
}

export interface NewAppInput {
  name: string
  redirectUris?: string[]
  grantTypes?: string[]
  scopes?: string[]
  isPublic?: boolean
  /** Only an operator sets this (`app create --resource-server`); registration never passes it. */
  isResourceServer?: boolean
  ownerId?: string | null
  tokenEndpointAuthMethod?: string
  description?: string
  homepageUrl?: string | null
  /** The workspace the app belongs to; its administrators manage it too. */
  workspaceId?: string | null
  /** A fixed client_id, for an app Gatehouse registers for itself (the playground); others get a random one. */
  clientId?: string
  /** Registered verified: only for an app Gatehouse registers for itself, which no administrator needs to vet. */
  verified?: boolean
  createdVia: 'cli' | 'dynamic' | 'seed' | 'console' | 'playground'
}

/** A new app's settings once checked and with defaults applied. */
export interface ValidatedApp {
  name: string
  redirectUris: string[]
  grantTypes: GrantType[]
  scopes: string[]
  isPublic: boolean
  isResourceServer: boolean
  tokenEndpointAuthMethod: TokenEndpointAuthMethod
  description: string
  homepageUrl: string | null
}

const GRANT_TYPES: readonly GrantType[] = ['authorization_code', 'refresh_token', 'client_credentials', 'password']
const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'none']
const MAX_NAME_LENGTH = 200
const MAX_REDIRECT_URIS = 20
const MAX_DESCRIPTION_LENGTH = 1000
const MAX_URL_LENGTH = 2000

/** Checks a new app against the rules; throws AppValidationError naming the field at fault. */
export function validateNewApp(catalogue: readonly ScopeDefinition[], input: NewAppInput): ValidatedApp {
  const name = input.name.trim()
  if (name === '') throw new AppValidationError('name', 'An app needs a name')
  if (name.length > MAX_NAME_LENGTH) throw new AppValidationError('name', `An app name has at most ${MAX_NAME_LENGTH} characters`)

  const { isPublic, tokenEndpointAuthMethod } = clientType(input)
  const hasOwner = (input.ownerId ?? null) !== null
  const grantTypes = validGrantTypes(input.grantTypes, isPublic, hasOwner)
  const redirectUris = validRedirectUris(input.redirectUris ?? [])
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    throw new AppValidationError('redirect_uris', 'An app using the authorization_code grant needs at least one redirect URI')
  }
  const isResourceServer = input.isResourceServer ?? false
  if (isResourceServer && isPublic) {
    throw new AppValidationError('resource_server', 'A resource server authenticates to introspect tokens, so it must be a confidential app')
  }
  const scopes = validScopes(catalogue, input.scopes)
  if (grantTypes.includes('client_credentials') && !hasOwner) {
    throw new AppValidationError('grant_types', "Client-credentials tokens act as the app's owner, so an app using client_credentials needs an owner")
  }
  return {
    name, redirectUris, grantTypes, scopes, isPublic, isResourceServer, tokenEndpointAuthMethod,
    description: validDescription(input.description), homepageUrl: validHomepageUrl(input.homepageUrl),
  }
}

export function validDescription(description: string | undefined): string {
  const trimmed = (description ?? '').trim()
  if (trimmed.length > MAX_DESCRIPTION_LENGTH) throw new AppValidationError('description', `A description has at most ${MAX_DESCRIPTION_LENGTH} characters`)
  return trimmed
}

/** A page people open from the consent screen: http(s) only, so never `javascript:` or `data:`. */
export function validHomepageUrl(url: string | null | undefined): string | null {
  const trimmed = (url ?? '').trim()
  if (trimmed === '') return null
  if (trimmed.length > MAX_URL_LENGTH) throw new AppValidationError('homepage_url', `The homepage URL has at most ${MAX_URL_LENGTH} characters`)
  let parsed: URL
  try {
    parsed = new URL(trimmed)
  } catch {
    throw new AppValidationError('homepage_url', `The homepage URL "${trimmed.slice(0, 200)}" is not a URL`)
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new AppValidationError('homepage_url', 'The homepage URL must start with https:// or http://')
  return parsed.href
}

function clientType(input: NewAppInput): { isPublic: boolean; tokenEndpointAuthMethod: TokenEndpointAuthMethod } {
  const method = input.tokenEndpointAuthMethod
  if (method !== undefined && !(AUTH_METHODS as readonly string[]).includes(method)) {
    throw new AppValidationError('token_endpoint_auth_method', `token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`)
  }
  const isPublic = input.isPublic ?? method === 'none'
  if (isPublic && method !== undefined && method !== 'none') {
    throw new AppValidationError('token_endpoint_auth_method', 'A public app has no secret, so its token_endpoint_auth_method is "none"')
  }
  if (!isPublic && method === 'none') {
    throw new AppValidationError('token_endpoint_auth_method', 'A confidential app authenticates with its secret; "none" is for public apps')
  }
  return { isPublic, tokenEndpointAuthMethod: isPublic ? 'none' : ((method ?? 'client_secret_basic') as TokenEndpointAuthMethod) }
}

/** By default an app gets the code flow, and client_credentials too when it is confidential and has an owner to act as. */
function validGrantTypes(requested: string[] | undefined, isPublic: boolean, hasOwner: boolean): GrantType[] {
  const defaults: GrantType[] = isPublic || !hasOwner
    ? ['authorization_code', 'refresh_token']
    : ['authorization_code', 'refresh_token', 'client_credentials']
  const grantTypes = [...new Set(requested ?? defaults)]
  if (grantTypes.length === 0) throw new AppValidationError('grant_types', 'An app needs at least one grant type')
  const unknown = grantTypes.filter((g) => !(GRANT_TYPES as readonly string[]).includes(g))
  if (unknown.length > 0) throw new AppValidationError('grant_types', `Unknown grant types: ${unknown.join(', ')} (known: ${GRANT_TYPES.join(', ')})`)
  if (isPublic && grantTypes.includes('client_credentials')) {
    throw new AppValidationError('grant_types', 'A public app cannot use client_credentials: it has no secret to prove who it is')
  }
  return grantTypes as GrantType[]
}

function validRedirectUris(uris: string[]): string[] {
  const unique = [...new Set(uris)]
  if (unique.length > MAX_REDIRECT_URIS) throw new AppValidationError('redirect_uris', `An app has at most ${MAX_REDIRECT_URIS} redirect URIs`)
  for (const uri of unique) {
    const problem = redirectUriProblem(uri)
    if (problem) throw new AppValidationError('redirect_uris', `The redirect URI "${uri.slice(0, 200)}" ${problem}`)
  }
  return unique
}

function validScopes(catalogue: readonly ScopeDefinition[], requested: string[] | undefined): string[] {
  const known = catalogue.map((s) => s.name)
  // Least privilege: an app gets the scopes it is given, none by default.
  if (requested === undefined) return []
  const unknown = unknownScopes(requested, catalogue)
  if (unknown.length > 0) {
    throw new AppValidationError('scopes', `Unknown scopes: ${unknown.join(', ').slice(0, 500)} (the API defines: ${known.join(', ')})`)
  }
  return [...scopeSet(requested)]
}
