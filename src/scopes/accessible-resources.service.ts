import { scopeSet } from '../domain/scopes.js'
import { API_BASE_PATH } from '../gateway/api-description.js'
import type { Identity } from '../gateway/identity.js'
import type { Db } from '../store/database.js'
import { findWorkspace, listMemberWorkspaces } from './accessible-resources.queries.js'

/** One workspace a token can reach, as Atlassian's accessible-resources lists a site. */
export interface AccessibleResource {
  id: string
  name: string
  /** The workspace in the API: `{issuer}/2.0/workspaces/{slug}`. */
  url: string
  /** The token's scopes, sorted: what it may do there. */
  scopes: string[]
  /** Workspaces have no picture yet; kept in the shape so clients written for Atlassian's answer read it. */
  avatarUrl?: string
}

export interface AccessibleResourcesDeps {
  db: Db
  issuer: string
}

/**
 * The workspaces an identity's token reaches: an installation, the one it is installed in; a person's
 * token (or an app owner's), their workspaces, narrowed to those the person granted (the token's
 * `workspaces`, which the gate enforces, taken from the grant).
 */
export async function accessibleResources(deps: AccessibleResourcesDeps, identity: Identity): Promise<AccessibleResource[]> {
  const workspaces = await reachableWorkspaces(deps.db, identity)
  const scopes = [...scopeSet(identity.scopes)]
  return workspaces.map((workspace) => ({
    id: workspace.id,
    name: workspace.name,
    url: `${deps.issuer}${API_BASE_PATH}/workspaces/${encodeURIComponent(workspace.slug)}`,
    scopes,
  }))
}

async function reachableWorkspaces(db: Db, identity: Identity) {
  if (identity.kind === 'installation') {
    const workspace = await findWorkspace(db, identity.workspaceId)
    return workspace ? [workspace] : []
  }
  if (identity.workspaces !== undefined && identity.workspaces.length === 0) return []
  return listMemberWorkspaces(db, identity.userId, identity.workspaces)
}
