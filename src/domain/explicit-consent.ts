/**
 * Whether an embedded app's request for a user's token waits for the user's explicit decision (the
 * consent dialog) or follows the legacy implicit behaviour. Deployment-wide, `GATEHOUSE_EXPLICIT_CONSENT`:
 * - `on` (the default): always.
 * - `labs`: only when both the app's vendor and the requesting user have opted in on their Labs page
 *   (`explicit-consent-vendor` and `explicit-consent`), as the reference platform rolled it out: a vendor
 *   tries it with test users before everyone gets it.
 */
export type ExplicitConsentMode = 'on' | 'labs'
export const EXPLICIT_CONSENT_MODES: readonly ExplicitConsentMode[] = ['on', 'labs']

export interface ExplicitConsentInput {
  mode: ExplicitConsentMode
  /** The app's vendor account has `explicit-consent-vendor`. */
  vendorHasFlag: boolean
  /** The requesting user has `explicit-consent`. */
  userHasFlag: boolean
}

export function explicitConsentInEffect({ mode, vendorHasFlag, userHasFlag }: ExplicitConsentInput): boolean {
  return mode === 'on' || (vendorHasFlag && userHasFlag)
}
