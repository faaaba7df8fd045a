import fp from 'fastify-plugin'
import type { ConsentPolicy } from '../oauth/consent-policy.js'
import { consentOutcome, decide, endApprovalsPastGrace, touchDecision, type ConsentDeps } from './decisions.service.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** The consent decisions' deps, for the pages, the bridge and the installed apps' grants. */
    consent: ConsentDeps
  }
}

/** How often approvals whose re-consent grace period is over are ended (grace periods are days long). */
const GRACE_SWEEP_MS = 10 * 60_000

/**
 * Consent as stored decisions (decisions.service.ts): the authorization endpoint's policy
 * (`server.consentPolicy`), the deps the other consent parts use, and the sweep that ends approvals
 * whose grace period is over. Registered before `oauth`, which reads the policy.
 */
export const consent = fp(
  async (server) => {
    const deps: ConsentDeps = { db: server.db, clock: server.clock, revocations: server.revocations, accessTokenTtlSeconds: server.config.accessTokenTtlSeconds, catalogue: server.apiDescription.scopes }
    const policy: ConsentPolicy = {
      outcome: ({ userId, app, scopes, askAgain }) => consentOutcome(deps, { userId, app, installationId: null, perInstallation: false, scopes, askAgain, interactive: true }),
      record: async ({ userId, app, decision, scopes, workspaces }) => {
        await decide(deps, { userId, app, installationId: null, perInstallation: false, decision, scopes, workspaces })
      },
      used: (decisionId) => touchDecision(deps.db, decisionId, deps.clock.now()),
    }
    server.decorate('consent', deps)
    server.decorate('consentPolicy', policy)

    let sweep: NodeJS.Timeout | undefined
    server.addHook('onReady', async () => {
      sweep = setInterval(() => {
        endApprovalsPastGrace(deps).catch((error: unknown) => server.log.warn({ err: error }, 'ending approvals past their grace period failed'))
      }, GRACE_SWEEP_MS)
      sweep.unref()
    })
    server.addHook('onClose', async () => clearInterval(sweep))
  },
  { name: 'gatehouse-consent', dependencies: ['gatehouse-core'] },
)
