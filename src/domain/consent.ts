/**
 * Consent: whether an app may have a token for a user, from the user's stored decision. The rules of
 * the reference platform (Bitbucket's explicit consent for Connect apps and its OAuth consumers):
 *
 * - An app used by the account that owns it (a personal app) never asks.
 * - With no decision, the user is asked; nothing is issued before Allow.
 * - A denial stands until the user removes it (or, asked again with `prompt=consent`, allows), whatever
 *   the app asks or however it changes.
 * - An approval covers the scopes the user allowed. A request for more asks again, in an interactive
 *   flow; a request without a person to ask (impersonation) cannot be asked.
 * - During a re-consent grace period (an app widened its scopes and its vendor chose a grace), the
 *   approval keeps working with its old scopes only, and the next interactive use asks for the new
 *   ones; once the period is over, the approval is gone.
 */

export type ConsentDecision = 'allow' | 'deny'

export interface StoredDecision {
  decision: ConsentDecision
  scopes: readonly string[]
  /** Set while a re-consent grace period runs: the approval ends then, unless renewed. */
  graceEndsAt: number | null
}

export type ConsentOutcome =
  | { outcome: 'allow'; scopes: string[] }
  | { outcome: 'deny' }
  | { outcome: 'ask'; scopes: string[] }

export interface ConsentQuestion {
  /** The user is the app's owner: a personal app. */
  ownApp: boolean
  decision: StoredDecision | undefined
  requested: readonly string[]
  /** A person is there to be asked (the authorization page, an embedded app's request in the browser). */
  interactive: boolean
  /** `prompt=consent`: ask even if a decision covers the request. */
  askAgain?: boolean
  now: number
}

export function consentOutcome(question: ConsentQuestion): ConsentOutcome {
  const { decision, requested } = question
  if (question.ownApp) return { outcome: 'allow', scopes: [...requested] }
  if (decision === undefined || graceOver(decision, question.now)) return { outcome: 'ask', scopes: [...requested] }
  // The user is there and the app asks to be asked: their answer replaces what they decided before.
  if (question.askAgain && question.interactive) return { outcome: 'ask', scopes: [...requested] }
  if (decision.decision === 'deny') return { outcome: 'deny' }
  const covered = requested.every((scope) => decision.scopes.includes(scope))
  if (covered && decision.graceEndsAt === null) return { outcome: 'allow', scopes: [...requested] }
  if (question.interactive || decision.graceEndsAt === null) return { outcome: 'ask', scopes: [...requested] }
  // Nobody to ask, during a grace period: the old approval, within what it allowed ("old scopes only").
  const allowed = requested.filter((scope) => decision.scopes.includes(scope))
  return allowed.length > 0 ? { outcome: 'allow', scopes: allowed } : { outcome: 'ask', scopes: [...requested] }
}

/** The scopes a widened app adds: a non-empty answer ends the approvals that do not hold them. */
export function addedScopes(previous: readonly string[], next: readonly string[]): string[] {
  return next.filter((scope) => !previous.includes(scope))
}

/** Whether an approval still covers everything the app may now ask for. */
export function approvalCovers(approved: readonly string[], appScopes: readonly string[]): boolean {
  return appScopes.every((scope) => approved.includes(scope))
}

/** The scopes an approval holds after the user allows `requested`: what they allowed before (unless in a grace period, which the new approval ends) and what they allow now. */
export function renewedScopes(previous: StoredDecision | undefined, requested: readonly string[]): string[] {
  const kept = previous?.decision === 'allow' ? previous.scopes : []
  return [...new Set([...kept, ...requested])]
}

function graceOver(decision: StoredDecision, now: number): boolean {
  return decision.graceEndsAt !== null && decision.graceEndsAt <= now
}

/** "14d", "36h", "0": a re-consent grace period in milliseconds, or undefined when it is not one. */
export function parseGracePeriod(text: string): number | undefined {
  const match = /^(\d{1,4})\s*(d|h)?$/.exec(text.trim())
  if (!match) return undefined
  const amount = Number(match[1])
  const unit = match[2] ?? 'd'
  const ms = amount * (unit === 'd' ? 86_400_000 : 3_600_000)
  return ms <= 365 * 86_400_000 ? ms : undefined
}
