/**
 * The feature flags of Labs: each a name, what a person reads on their Labs page, and who it is for.
 * Declared here, in code; the database only records who turned which on (`feature_flags`). A flag
 * belongs to a deployment-wide setting (`mode`): when that setting turns the feature on for everyone,
 * the flag still records the person's choice, but changes nothing.
 */
export type FlagAudience = 'user' | 'vendor'

/** The deployment-wide settings flags belong to, each 'on' (everyone) or 'labs' (those who opted in). */
export interface FlagModes {
  explicitConsent: 'on' | 'labs'
}

export interface FeatureFlag {
  name: string
  title: string
  description: string
  /** 'user': anyone who uses apps; 'vendor': the account that publishes apps, for all of its apps. */
  audience: FlagAudience
  mode: keyof FlagModes
}

export const EXPLICIT_CONSENT_FLAG = 'explicit-consent'
export const EXPLICIT_CONSENT_VENDOR_FLAG = 'explicit-consent-vendor'

export const FEATURE_FLAGS: readonly FeatureFlag[] = [
  {
    name: EXPLICIT_CONSENT_FLAG,
    title: "Explicit consent for embedded apps' requests",
    description:
      'When an app shown inside Gatehouse asks to call the API as you, you are asked to allow or deny it first, and your answer is remembered (see App authorizations). It takes effect for apps whose vendor has turned on the vendor flag below.',
    audience: 'user',
    mode: 'explicitConsent',
  },
  {
    name: EXPLICIT_CONSENT_VENDOR_FLAG,
    title: "Explicit consent for my apps' requests (vendors)",
    description:
      'Every installation of every app you publish asks its users before it gets a token to act as them, so you can test how your app handles USER_DENIED_ACCESS, USER_ALREADY_DENIED_ACCESS and ACCESS_TOKEN_REQUEST_FAILED. Only users who turned on the flag above are asked.',
    audience: 'vendor',
    mode: 'explicitConsent',
  },
]

/** What a page says under a flag that the deployment's own setting makes moot. */
export const MODE_ON_NOTE: Record<keyof FlagModes, string> = {
  explicitConsent: 'Explicit consent is on for everyone on this deployment, whatever this flag says.',
}

export function findFlag(name: string): FeatureFlag | undefined {
  return FEATURE_FLAGS.find((flag) => flag.name === name)
}
