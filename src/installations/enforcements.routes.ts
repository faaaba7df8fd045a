import type { FastifyInstance, FastifyRequest } from 'fastify'
import { parseAuthorization } from '../domain/credentials.js'
import { ForbiddenError, InvalidTokenError, MissingTokenError } from '../errors.js'
import { setApiHeaders } from '../security/json-response-headers.js'
import { AppJwtRefusal } from './app-jwt.js'
import { installationIdentity, isAppJwtCredential } from './app-jwt.authenticator.js'
import type { AppJwtVerifier, VerifiedAppJwt } from './app-jwt.verifier.js'
import { listReports, MAX_REPORTS, type EnforcementReport } from './enforcements.service.js'

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

function reportJson(report: EnforcementReport) {
  return {
    id: report.id,
    enforcement: report.enforcement,
    installation: { id: report.installationId, client_key: report.clientKey, workspace: report.workspace },
    detail: report.detail,
    created_on: new Date(report.createdAt).toISOString(),
  }
}
