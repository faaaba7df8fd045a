import { consentOutcome, touchDecision } from '../consent/decisions.service.js'
import type { Clock } from '../domain/clock.js'
import type { Approval } from '../domain/descriptor.js'
import type { ScopeCatalogue } from '../domain/scopes.js'
import { APP_AUTHORIZATIONS_PATH } from '../oauth/consent-policy.js'
import type { Db } from '../store/database.js'

export interface ImpersonationConsentRequest {
  appId: string
  installationId: string
  /** The person the app asks to act as. */
  userId: string
  /** The scope the token would carry. */
  scope: string
}

export type ImpersonationConsent = { allowed: true; scope: string } | { allowed: false; reason: string }

/**
 * Whether the person's decision lets this installation act as them, and with which scopes. Nobody
 * is there to be asked (the app calls server to server), so without an approval the answer is no,
 * saying how the app gets one: the person allows it when the app asks in the browser (`AP.request`
 * shows the consent dialog). A denial refuses; during a re-consent grace period the old approval
 * works with its old scopes only. Personal apps (the person owns the app) never need one.
 */
export async function impersonationConsent(deps: { db: Db; clock: Clock; issuer: string; catalogue: ScopeCatalogue }, request: ImpersonationConsentRequest): Promise<ImpersonationConsent> {
  const app = await deps.db
    .selectFrom('apps')
    .innerJoin('descriptors', 'descriptors.app_id', 'apps.id')
    .select(['apps.owner_id', 'apps.name', 'descriptors.document'])
    .where('apps.id', '=', request.appId)
    .executeTakeFirstOrThrow()
  const approval = (JSON.parse(app.document) as { approval?: Approval }).approval ?? 'shared'
  const answer = await consentOutcome(deps, {
    userId: request.userId,
    app: { id: request.appId, ownerId: app.owner_id },
    installationId: request.installationId,
    perInstallation: approval === 'per-installation',
    scopes: request.scope.split(' ').filter(Boolean),
    interactive: false,
  })
  const where = `${deps.issuer}${APP_AUTHORIZATIONS_PATH}`
  if (answer.outcome === 'deny') return { allowed: false, reason: `The user denied ${app.name} access; only they can lift that, at ${where}` }
  if (answer.outcome === 'ask') {
    return { allowed: false, reason: `The user has not allowed ${app.name} to act for them (with these scopes); they decide when the app asks in the browser (AP.request shows the consent dialog), and can review it at ${where}` }
  }
  if (answer.decisionId !== null) await touchDecision(deps.db, answer.decisionId, deps.clock.now())
  return { allowed: true, scope: answer.scopes.join(' ') }
}
