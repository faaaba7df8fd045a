import type { FastifyInstance, FastifyRequest } from 'fastify'
import { parseAuthorization } from '../domain/credentials.js'
import { ForbiddenError, InvalidTokenError, MissingTokenError } from '../errors.js'
import { setApiHeaders } from '../security/json-response-headers.js'
import { AppJwtRefusal } from './app-jwt.js'
import { installationIdentity, isAppJwtCredential } from './app-jwt.authenticator.js'
import type { AppJwtVerifier, VerifiedAppJwt } from './app-jwt.verifier.js'
import { listReports, MAX_REPORTS, type EnforcementReport } from './enforcements.service.js'
import { reconsentProgress } from '../consent/decisions.service.js'
import { ClientAuthenticator, readClientCredentials } from '../oauth/client-auth.js'

const reportsRequest = {
  params: { type: 'object', required: ['key'], properties: { key: { type: 'string', maxLength: 80 } } },
  querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_REPORTS } } },
} as const

/**
 * The vendor's view of its app's enforcement reports: `GET /api/apps/{key}/enforcement-reports`
 * with an app JWT of any installation of the app (its `qsh` over this request), newest first. What
 * report-only let through, with the installation, the stale and the current identifier, so the
 * vendor fixes the app before the enforcement refuses it.
 */
export async function enforcementReportRoutes(server: FastifyInstance, { verifier }: { verifier: AppJwtVerifier }): Promise<void> {
  server.addHook('onRequest', setApiHeaders)
  server.get<{ Params: { key: string }; Querystring: { limit?: number } }>('/api/apps/:key/enforcement-reports', { schema: reportsRequest }, async (request) => {
    const caller = await authenticateApp(server, verifier, request)
    if (caller.installation.app.key !== request.params.key) {
      throw new ForbiddenError(`This app JWT is of an installation of "${caller.installation.app.key}"; it may read only that app's reports`)
    }
    return { app: request.params.key, values: (await listReports(server.db, caller.installation.app.id, { limit: request.query.limit })).map(reportJson) }
  })
}

/** The app JWT as the gate would take it: verified, then checked against the revocation list (uninstalling revokes the app account). */
async function authenticateApp(server: FastifyInstance, verifier: AppJwtVerifier, request: FastifyRequest): Promise<VerifiedAppJwt> {
  const credential = parseAuthorization(request.headers.authorization)
  if (!isAppJwtCredential(credential)) throw new MissingTokenError('This operation needs an app JWT: send "Authorization: JWT <token>" signed with an installation\'s shared secret')
  let verified: VerifiedAppJwt
  try {
    verified = await verifier.verify(credential.value, request)
  } catch (error) {
    throw error instanceof AppJwtRefusal ? new InvalidTokenError(error.message) : error
  }
  if (server.revocations.isRevoked(installationIdentity(verified))) throw new InvalidTokenError('The installation\'s access has been revoked')
  return verified
}

/**
 * During a re-consent grace period, how the vendor follows it: per workspace, how many members
 * approved the app's current scopes and how many still hold an approval of the old ones.
 * `GET /api/apps/{key}/reconsent`, with the app's own credentials: an app JWT of an installation,
 * or, for an OAuth app, its client_id and secret (Basic).
 */
export async function reconsentRoutes(server: FastifyInstance, { verifier }: { verifier: AppJwtVerifier }): Promise<void> {
  const clients = new ClientAuthenticator(server.db, server.clock)
  server.addHook('onRequest', setApiHeaders)
  server.get<{ Params: { key: string } }>('/api/apps/:key/reconsent', { schema: { params: reportsRequest.params } }, async (request) => {
    const credential = parseAuthorization(request.headers.authorization)
    let appId: string
    let key: string
    if (isAppJwtCredential(credential)) {
      const caller = await authenticateApp(server, verifier, request)
      ;({ id: appId, key } = caller.installation.app)
    } else if (credential.kind === 'basic') {
      const app = await clients.authenticate(readClientCredentials(request.headers.authorization, {})).catch(() => {
        throw new InvalidTokenError('The client_id and secret do not authenticate an app')
      })
      ;({ id: appId, clientId: key } = app)
    } else {
      throw new MissingTokenError('This operation needs the app\'s own credentials: "Authorization: JWT <app JWT>" for an installed app, or Basic with the client_id and secret of an OAuth app')
    }
    if (key !== request.params.key) throw new ForbiddenError(`These credentials are of "${key}"; they may read only that app's re-consent progress`)
    const progress = await reconsentProgress(server.db, appId, server.apiDescription.scopes)
    return { app: key, workspaces: progress }
  })
}

function reportJson(report: EnforcementReport) {
  return {
    id: report.id,
    enforcement: report.enforcement,
    installation: { id: report.installationId, client_key: report.clientKey, workspace: report.workspace },
    detail: report.detail,
    created_on: new Date(report.createdAt).toISOString(),
  }
}
