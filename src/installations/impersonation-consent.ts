import type { Db } from '../store/database.js'

export interface ImpersonationConsentRequest {
  appId: string
  installationId: string
  /** The person the app asks to act as. */
  userId: string
  /** The scope the token would carry. */
  scope: string
}

export type ImpersonationConsent = { allowed: true } | { allowed: false; reason: string }

/**
 * Whether the person's consent lets this installation act as them with this scope. The consent
 * issue (issue 8) decides the rule — shared apps against per-installation approval, what an added
 * scope does to an earlier approval — and puts it here. Until then, installing an app with
 * act_as_user is what allows it, as on the reference platform.
 */
export async function impersonationConsent(db: Db, request: ImpersonationConsentRequest): Promise<ImpersonationConsent> {
  return { allowed: true }
}
