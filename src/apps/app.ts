import type { AppRow } from '../store/schema.js'

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials' | 'password'
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none'

/** An OAuth client as the rest of the code sees it (camelCase, lists parsed). */
export interface App {
  id: string
  clientId: string
  name: string
  ownerId: string | null
  /** The owner's account is disabled: tokens acting as the owner must not be issued. */
  ownerDisabled: boolean
  isPublic: boolean
  /** May introspect any token (RFC 7662 §1), not only its own. */
  isResourceServer: boolean
  tokenEndpointAuthMethod: TokenEndpointAuthMethod
  redirectUris: string[]
  grantTypes: GrantType[]
  scopes: string[]
  createdVia: string
  createdAt: number
  updatedAt: number
  disabledAt: number | null
  description: string
  homepageUrl: string | null
  verifiedAt: number | null
  workspaceId: string | null
}

export function toApp(row: AppRow & { owner_disabled_at?: number | null }): App {
  return {
    id: row.id,
    clientId: row.client_id,
    name: row.name,
    ownerId: row.owner_id,
    ownerDisabled: row.owner_disabled_at !== null && row.owner_disabled_at !== undefined,
    isPublic: row.is_public === 1,
    isResourceServer: row.is_resource_server === 1,
    tokenEndpointAuthMethod: row.token_endpoint_auth_method as TokenEndpointAuthMethod,
    redirectUris: JSON.parse(row.redirect_uris) as string[],
    grantTypes: JSON.parse(row.grant_types) as GrantType[],
    scopes: JSON.parse(row.scopes) as string[],
    createdVia: row.created_via,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    disabledAt: row.disabled_at,
    description: row.description,
    homepageUrl: row.homepage_url,
    verifiedAt: row.verified_at,
    workspaceId: row.workspace_id,
  }
}
