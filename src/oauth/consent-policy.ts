import type { App } from '../apps/app.js'

/** What the user's stored decision says about an authorization request. */
export type ConsentPolicyAnswer =
  | { outcome: 'allow'; scopes: string[]; decisionId: string | null; workspaces: string[] | null }
  | { outcome: 'deny' }
  | { outcome: 'ask'; scopes: string[] }

/**
 * Where the authorization endpoint asks about, and records, the user's consent. The consent
 * capability (src/consent/) provides it as `server.consentPolicy`, so OAuth needs nothing of how
 * decisions are stored.
 */
export interface ConsentPolicy {
  outcome(request: { userId: string; app: App; scopes: readonly string[]; askAgain: boolean }): Promise<ConsentPolicyAnswer>
  /** The user's answer on the consent page; `workspaces` null means all of theirs. */
  record(answer: { userId: string; app: App; decision: 'allow' | 'deny'; scopes: readonly string[]; workspaces: string[] | null }): Promise<void>
  /** An approval was used to issue a code without asking ("last used" on the App authorizations page). */
  used(decisionId: string): Promise<void>
}

declare module 'fastify' {
  interface FastifyInstance {
    consentPolicy: ConsentPolicy
  }
}

/** Where a user reviews and revokes their decisions; named in denials so they know where to change them. */
export const APP_AUTHORIZATIONS_PATH = '/account/app-authorizations'
