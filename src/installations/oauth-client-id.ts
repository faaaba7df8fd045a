import { invalidGrant } from '../oauth/grant-types/grant-type.js'
import type { InstallationDirectory, InstallationWithSecrets } from './installation-directory.js'

/** The installation an impersonation assertion speaks for, and the stale oauthClientId it named instead, if it did. */
export interface AssertionInstallation {
  installation: InstallationWithSecrets
  /**
   * Set when the assertion named the oauthClientId of an ended installation (before a reinstall or an
   * import) of the same app in the same workspace: `installation` is then the live one, whose secret
   * must have signed the assertion, and the stale-oauth-client-id enforcement decides.
   */
  staleOauthClientId?: string
}

/**
 * Which installation an oauthClientId names. A live installation's own id names it; an ended one's
 * names the app's live installation in the same workspace, as a stale identifier; anything else is
 * refused, always (invalid_grant), saying why.
 */
export async function installationForOauthClientId(directory: InstallationDirectory, oauthClientId: string): Promise<AssertionInstallation> {
  const named = await directory.byOauthClientId(oauthClientId)
  if (!named) throw invalidGrant(`No installation has the oauthClientId "${oauthClientId}"; use the oauthClientId of the latest installed callback`)
  const { installation, app, workspaceSlug } = named
  if (installation.state === 'installed' || installation.state === 'disabled') return { installation: named }
  if (installation.state !== 'uninstalled' && installation.state !== 'removed') {
    throw invalidGrant(`The installation with the oauthClientId "${oauthClientId}" is not installed yet; wait for its installed callback`)
  }
  const current = await directory.liveOf(installation.appId, installation.workspaceId)
  if (!current) throw invalidGrant(`The oauthClientId "${oauthClientId}" belonged to an installation of "${app.key}" in workspace "${workspaceSlug}", which is no longer installed`)
  return { installation: current, staleOauthClientId: oauthClientId }
}
