import type { InstallationRow } from '../store/schema.js'

/** 'installing': the app is being asked (the row holds the place). 'removed': ended by a workspace import, without an uninstall callback (as on the reference platform). */
export type InstallationState = 'installing' | 'installed' | 'disabled' | 'uninstalled' | 'removed'
/** States in which an installation holds a secret and may be enabled, disabled or uninstalled. */
export const LIVE_STATES: readonly InstallationState[] = ['installed', 'disabled']

/** An app installed into a workspace, without its secrets (`installation-secrets.ts` opens those). */
export interface Installation {
  id: string
  appId: string
  workspaceId: string
  tenantId: string
  clientKey: string
  oauthClientId: string
  appUserId: string | null
  state: InstallationState
  previousClientKey: string | null
  descriptorVersion: number
  installedBy: string | null
  createdAt: number
  updatedAt: number
  endedAt: number | null
}

export function toInstallation(row: InstallationRow): Installation {
  return {
    id: row.id,
    appId: row.app_id,
    workspaceId: row.workspace_id,
    tenantId: row.tenant_id,
    clientKey: row.client_key,
    oauthClientId: row.oauth_client_id,
    appUserId: row.app_user_id,
    state: row.state as InstallationState,
    previousClientKey: row.previous_client_key,
    descriptorVersion: row.descriptor_version,
    installedBy: row.installed_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    endedAt: row.ended_at,
  }
}

export function isLive(installation: Pick<Installation, 'state'>): boolean {
  return LIVE_STATES.includes(installation.state)
}

/** A workspace's tenant: its own id until an import gives it a new one. */
export function tenantOf(workspace: { id: string; tenant_id: string | null }): string {
  return workspace.tenant_id ?? workspace.id
}
