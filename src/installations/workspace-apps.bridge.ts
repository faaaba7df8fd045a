import type { FindEmbeddedInstallation } from '../consent/bridge.service.js'
import type { Clock } from '../domain/clock.js'
import { formatScope } from '../domain/scopes.js'
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js'
import type { TokenDeps } from '../oauth/grant-types/grant-type.js'
import type { Db } from '../store/database.js'
import type { Keyring } from '../store/secret-box.js'
import { findInstalledApp, viewWorkspace } from './console.service.js'
import { InstallationDirectory } from './installation-directory.js'
import { issueInstallationToken } from './installation-tokens.js'

export interface EmbeddedInstallationDeps {
  db: Db
  clock: Clock
  keyring: Keyring
  tokenDeps: TokenDeps
}

/**
 * The request bridge's view of installations (consent/bridge.service.ts): the one a page module's
 * page shows, for a member of its workspace, installed and enabled — read afresh, since it leads to
 * a token, so a disable or uninstall stops the bridge at once — and the tokens it gets.
 */
export function embeddedInstallations(deps: EmbeddedInstallationDeps): FindEmbeddedInstallation {
  const directory = new InstallationDirectory({ db: deps.db, clock: deps.clock, keyring: deps.keyring })
  return async (user, workspaceSlug, appKey) => {
    const view = await viewWorkspace(deps.db, user, workspaceSlug)
    if (view.role === null) throw new ForbiddenError(`Only members of workspace ${view.workspace.slug} can use its apps: an app acts as the person using it, and you are not a member`)
    const app = await findInstalledApp(deps.db, appKey)
    const live = app && (await directory.liveOf(app.appId, view.workspace.id))
    if (!app || !live || live.installation.state === 'installing') throw new NotFoundError(`No app "${appKey}" is installed in ${view.workspace.slug}`)
    if (live.installation.state !== 'installed' || live.app.disabled) throw new ConflictError(`${app.descriptor.name} is disabled in ${view.workspace.slug}, so it cannot act as you`)
    const { descriptor } = app
    if (live.app.scopes.size === 0) throw new ConflictError(`${descriptor.name} asks for no API scopes, so it cannot call the API as you`)
    return {
      id: live.installation.id,
      workspace: { slug: view.workspace.slug, name: view.workspace.name },
      app: {
        id: app.appId,
        key: app.key,
        name: descriptor.name,
        ownerId: app.ownerId,
        vendor: descriptor.vendor ?? null,
        scopes: [...live.app.scopes],
        perInstallation: descriptor.approval === 'per-installation',
      },
      issueToken: async (userId, scopes) => {
        const issued = await issueInstallationToken(deps.tokenDeps, { installation: live, userId, scope: formatScope(scopes), kind: 'embedded', refreshable: false })
        return { accessToken: issued.access_token, expiresIn: issued.expires_in, scope: issued.scope }
      },
    }
  }
}
