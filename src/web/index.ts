import type { FastifyInstance } from 'fastify'
import { idleCutoff } from '../domain/session-lifetime.js'
import { accountSettings } from './account/index.js'
import { assetRoutes } from './assets.routes.js'
import { homeRoutes } from './home.routes.js'
import { loginRoutes } from './login.routes.js'
import { pageScope } from './page-scope.js'
import { sessionDeps } from './session.js'
import { settingsRoutes } from './settings.routes.js'
import { deleteAllExpiredSessions } from './sessions.queries.js'

const PRUNE_EVERY_MS = 60 * 60 * 1000

// The page API, for capabilities that serve pages of their own (oauth's consent page, admin): the page
// scope (cookies, helmet), who is signed in, CSRF for forms, and rendering. Import these from here, not
// from the files behind them; the rest of web/ is its own business.
export { pageScope } from './page-scope.js'
export { currentUser, type SessionUser } from './session.js'
export { readCookie, writeCookie } from './cookies.js'
export { csrfBodyProperties, csrfField, csrfToken, verifyCsrf } from './csrf.js'
export { allowConnectSource, allowFormAction, allowFrameSource } from './csp.js'
export { sendPage, layout, headerAccount, type HeaderAccount } from './layout.js'
export { html, raw, SafeHtml } from './html.js'
export { consentPage } from './pages/consent.js'
export { flash, requireSignedIn, sendSettingsPage, type SettingsSection } from './settings-shell.js'

export interface WebOptions {
  /** The app a person signs in to continue to, when the page they return to is an app's request for access ("Sign in to continue to …"). */
  appSignedInFor?: (returnTo: string) => Promise<string | undefined>
}

/** Server-rendered pages: home, sign-in, sign-out, the settings area's entry and its Account group (web/account/), and assets. */
export async function web(server: FastifyInstance, options: WebOptions = {}): Promise<void> {
  await pageScope(server)
  await server.register(assetRoutes)
  await server.register(homeRoutes)
  await server.register(loginRoutes, { appSignedInFor: options.appSignedInFor })
  await server.register(settingsRoutes)
  await server.register(accountSettings)

  const { lifetime } = sessionDeps(server)
  const prune = setInterval(() => {
    const now = server.clock.now()
    deleteAllExpiredSessions(server.db, now, idleCutoff(now, lifetime)).catch((error) => server.log.warn({ err: error }, 'pruning expired sessions failed'))
  }, PRUNE_EVERY_MS)
  prune.unref()
  server.addHook('onClose', async () => clearInterval(prune))
}
