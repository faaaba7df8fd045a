import type { App } from '../apps/app.js'
import { findAppByClientId } from '../apps/apps.queries.js'
import { AppValidationError, createApp, updateApp, type AppChangeNotices } from '../apps/apps.service.js'
import type { Clock } from '../domain/clock.js'
import type { SecretFormat } from '../domain/opaque-token.js'
import { redirectUriMatches } from '../domain/redirect-uri.js'
import type { ScopeDefinition } from '../domain/scopes.js'
import type { Db } from '../store/database.js'

/** Fixed, so the pages, the docs and every process agree on it (and two first visits cannot register two). */
export const PLAYGROUND_CLIENT_ID = 'gatehouse-playground'

export interface PlaygroundClientDeps {
  db: Db
  clock: Clock
  secrets: SecretFormat
  notices: AppChangeNotices
  catalogue: readonly ScopeDefinition[]
  issuer: string
}

export type PlaygroundClient = { ok: true; app: App } | { ok: false; problem: string }

export function playgroundCallback(issuer: string): string {
  return `${issuer}/playground/callback`
}

/**
 * The playground's own app: public (no secret to keep anywhere; PKCE proves it), verified (Gatehouse
 * registered it), with every scope the API defines, redirecting to this issuer's playground callback.
 * Registered on first use rather than by the demo seed, so a database seeded before the playground
 * existed gets it too, and kept pointing at the current issuer if `GATEHOUSE_ISSUER` or `HOST` changed.
 * An administrator who disabled it is obeyed: the playground says so instead.
 */
export async function ensurePlaygroundClient(deps: PlaygroundClientDeps): Promise<PlaygroundClient> {
  try {
    return await ensure(deps, playgroundCallback(deps.issuer))
  } catch (error) {
    if (!(error instanceof AppValidationError)) throw error
    return { ok: false, problem: `The playground cannot register its callback: ${error.message}. Serve Gatehouse over https, or on a loopback address.` }
  }
}

async function ensure(deps: PlaygroundClientDeps, callback: string): Promise<PlaygroundClient> {
  const app = (await findAppByClientId(deps.db, PLAYGROUND_CLIENT_ID)) ?? (await register(deps, callback))
  if (app.disabledAt !== null) return { ok: false, problem: `An administrator has disabled the playground's app (${PLAYGROUND_CLIENT_ID}); enable it with \`gatehouse app enable ${PLAYGROUND_CLIENT_ID}\`.` }
  if (app.redirectUris.some((uri) => redirectUriMatches(uri, callback))) return { ok: true, app }
  const { app: updated } = await updateApp({ db: deps.db, clock: deps.clock, notices: deps.notices }, deps.catalogue, PLAYGROUND_CLIENT_ID, { redirectUris: [callback] })
  return { ok: true, app: updated }
}

async function register(deps: PlaygroundClientDeps, callback: string): Promise<App> {
  try {
    const { app } = await createApp(deps.db, deps.clock, deps.catalogue, {
      clientId: PLAYGROUND_CLIENT_ID,
      name: 'Gatehouse playground',
      description: "Gatehouse's own walk-through of the authorization-code flow: it shows every request it makes and every answer.",
      homepageUrl: `${deps.issuer}/playground`,
      isPublic: true,
      redirectUris: [callback],
      grantTypes: ['authorization_code', 'refresh_token'],
      // Granular scopes only: the walk-through shows apps as they should be written now.
      scopes: deps.catalogue.filter((scope) => scope.replacedBy === undefined).map((scope) => scope.name),
      verified: true,
      createdVia: 'playground',
    }, deps.secrets)
    return app
  } catch (error) {
    // Another request or process registered it first (the client_id is unique): use theirs.
    const existing = await findAppByClientId(deps.db, PLAYGROUND_CLIENT_ID)
    if (existing) return existing
    throw error
  }
}
