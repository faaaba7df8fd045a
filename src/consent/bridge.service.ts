import { formatScope, type ScopeCatalogue, type ScopeDefinition } from '../domain/scopes.js'
import type { ExplicitConsentDeps } from '../labs/index.js'
import { explicitConsentApplies } from '../labs/index.js'
import type { SessionUser } from '../web/index.js'
import { consentOutcome, decide, touchDecision, type ConsentDeps, type ConsentSubject } from './decisions.service.js'

/**
 * The request bridge's decisions: an embedded app (an installed app's page module, shown inside the
 * platform) asks, through the host page, for a token acting as the signed-in user. The user's
 * decision answers — a token, a standing denial, or a question the host page puts in its dialog —
 * and the dialog's answer is recorded here. Installations are found by the caller
 * (`FindEmbeddedInstallation`, implemented beside the page that shows the frame), so consent does
 * not depend on the installations capability, which depends on it.
 */

/** A token for the app acting as the user: what the host page sends as `Authorization: Bearer`. */
export interface BridgeToken {
  accessToken: string
  expiresIn: number
  scope: string
}

export interface EmbeddedApp {
  /** The backing `apps` row. */
  id: string
  key: string
  name: string
  /** The vendor account (the app's owner): its own app never asks, and its Labs flag counts in `labs` mode. */
  ownerId: string | null
  vendor: { name: string; url?: string } | null
  /** The API scopes the app has (act_as_user is not one). */
  scopes: readonly string[]
  /** A classic add-on (descriptor `approval: "per-installation"`): approved per installation. */
  perInstallation: boolean
}

/** A live, enabled installation the signed-in user may use (a member of its workspace). */
export interface EmbeddedInstallation {
  id: string
  workspace: { slug: string; name: string }
  app: EmbeddedApp
  /** A token for the app acting as `userId`: a grant of kind `embedded` with this installation's id, so uninstalling, disabling or revoking the decision ends it. */
  issueToken(userId: string, scopes: readonly string[]): Promise<BridgeToken>
}

/** The installation of `appKey` in the workspace, as `user` may use it; refuses (404, 403, 409) with the reason otherwise. */
export type FindEmbeddedInstallation = (user: SessionUser, workspaceSlug: string, appKey: string) => Promise<EmbeddedInstallation>

export interface BridgeDeps {
  consent: Pick<ConsentDeps, 'db' | 'clock'>
  explicitConsent: ExplicitConsentDeps
  catalogue: ScopeCatalogue
}

/** What the host page shows in its dialog. */
export interface ConsentQuestion {
  app: { key: string; name: string; vendor: string | null }
  workspace: { slug: string; name: string }
  scopes: ScopeDefinition[]
  /** Where the answer holds: every installation of the app, or this one (a classic add-on). */
  remembered: 'app' | 'installation'
}

export type BridgeAnswer =
  | { outcome: 'allow'; token: BridgeToken }
  | { outcome: 'deny'; message: string }
  | { outcome: 'ask'; consent: ConsentQuestion }

/**
 * The answer to an embedded app's request for a token: without explicit consent (`labs` mode, where
 * the vendor or the user has not opted in) the legacy behaviour, a token without asking; otherwise
 * the user's decision — allow (a token, the decision marked used), deny, or ask.
 */
export async function requestToken(deps: BridgeDeps, installation: EmbeddedInstallation, user: SessionUser): Promise<BridgeAnswer> {
  const { app } = installation
  if (!(await explicitConsentApplies(deps.explicitConsent, { vendorId: app.ownerId, userId: user.id }))) {
    return { outcome: 'allow', token: await installation.issueToken(user.id, app.scopes) }
  }
  const answer = await consentOutcome(deps.consent, { ...subject(installation, user), scopes: app.scopes, interactive: true })
  if (answer.outcome === 'deny') return { outcome: 'deny', message: deniedMessage(installation) }
  if (answer.outcome === 'ask') return { outcome: 'ask', consent: question(deps.catalogue, installation, answer.scopes) }
  if (answer.decisionId !== null) await touchDecision(deps.consent.db, answer.decisionId, deps.consent.clock.now())
  return { outcome: 'allow', token: await installation.issueToken(user.id, answer.scopes) }
}

export interface DialogAnswer {
  decision: 'allow' | 'deny'
  /** The scopes the dialog showed: an approval holds what the user saw, never more. */
  scopes: readonly string[]
}

/**
 * The user pressed Allow or Deny. A denial is recorded as it is; an approval only of what the dialog
 * showed, and only if that is what the app asks for now — otherwise (the app changed meanwhile) the
 * user is asked again, with what it asks now.
 */
export async function recordAnswer(deps: BridgeDeps, installation: EmbeddedInstallation, user: SessionUser, answer: DialogAnswer): Promise<BridgeAnswer> {
  const { app } = installation
  if (answer.decision === 'deny') {
    await decide(deps.consent, { ...subject(installation, user), decision: 'deny', scopes: app.scopes })
    return { outcome: 'deny', message: deniedMessage(installation) }
  }
  if (formatScope(answer.scopes) !== formatScope(app.scopes)) return { outcome: 'ask', consent: question(deps.catalogue, installation, app.scopes) }
  const { id } = await decide(deps.consent, { ...subject(installation, user), decision: 'allow', scopes: app.scopes })
  await touchDecision(deps.consent.db, id, deps.consent.clock.now())
  return { outcome: 'allow', token: await installation.issueToken(user.id, app.scopes) }
}

function subject(installation: EmbeddedInstallation, user: SessionUser): ConsentSubject {
  const { app } = installation
  return { userId: user.id, app: { id: app.id, ownerId: app.ownerId }, installationId: installation.id, perInstallation: app.perInstallation }
}

function question(catalogue: ScopeCatalogue, installation: EmbeddedInstallation, scopes: readonly string[]): ConsentQuestion {
  const { app, workspace } = installation
  return {
    app: { key: app.key, name: app.name, vendor: app.vendor?.name ?? null },
    workspace,
    scopes: scopes.map((name) => catalogue.find((scope) => scope.name === name) ?? { name, description: name }),
    remembered: app.perInstallation ? 'installation' : 'app',
  }
}

function deniedMessage({ app, workspace }: EmbeddedInstallation): string {
  const where = app.perInstallation ? ` in ${workspace.name}` : ''
  return `You denied ${app.name}${where} access to Gatehouse as you; it is refused until you lift the denial in App authorizations`
}
