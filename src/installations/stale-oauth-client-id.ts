import type { Clock } from '../domain/clock.js'
import { invalidGrant } from '../oauth/grant-types/grant-type.js'
import type { Db } from '../store/database.js'
import { enforcementDecision, recordReport, STALE_OAUTH_CLIENT_ID } from './enforcements.service.js'
import type { InstallationWithSecrets } from './installation-directory.js'

export interface StaleOauthClientIdUse {
  staleOauthClientId: string
  /** The app's live installation in the workspace, whose secret signed the request. */
  current: InstallationWithSecrets
  /** The token request's grant_type, for the report. */
  grantType: string
}

/**
 * A correctly signed request that named a stale oauthClientId, under the `stale-oauth-client-id`
 * enforcement: off or out of scope, it goes on as the current installation; in report-only it goes
 * on and is recorded for the vendor (which id was stale, the current one, when, the grant type); in
 * enforce it is refused, saying where the current id comes from. Only signed requests get here, so
 * nobody can fill a vendor's reports by replaying an old identifier.
 */
export async function admitStaleOauthClientId(deps: { db: Db; clock: Clock }, use: StaleOauthClientIdUse): Promise<void> {
  const { installation, app, workspaceSlug } = use.current
  const outcome = await enforcementDecision(deps.db, STALE_OAUTH_CLIENT_ID, { appKey: app.key, workspaceSlug })
  if (outcome === 'allow') return
  if (outcome === 'report') {
    await recordReport(deps, {
      enforcement: STALE_OAUTH_CLIENT_ID,
      appId: app.id,
      installationId: installation.id,
      detail: {
        staleOauthClientId: use.staleOauthClientId,
        currentOauthClientId: installation.oauthClientId,
        clientKey: installation.clientKey,
        workspace: workspaceSlug,
        grantType: use.grantType,
        at: new Date(deps.clock.now()).toISOString(),
      },
    })
    return
  }
  throw invalidGrant(
    `The oauthClientId "${use.staleOauthClientId}" is stale: it belonged to an earlier installation of "${app.key}" in workspace "${workspaceSlug}". ` +
      `Use the current one, "${installation.oauthClientId}", from the latest installed callback (enforcement ${STALE_OAUTH_CLIENT_ID})`,
  )
}
