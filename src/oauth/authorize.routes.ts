import type { FastifyInstance, FastifyReply } from 'fastify'
import { formActionSource } from '../domain/authorization-request.js'
import { allowFormAction, consentPage, csrfToken, currentUser, pageScope, sendPage, verifyCsrf, type SessionUser } from '../web/index.js'
import { authorizeSchema, decisionSchema, type AuthorizeQuery, type DecisionBody } from './authorize.schemas.js'
import { APP_AUTHORIZATIONS_PATH } from './consent-policy.js'
import { decideAuthorization, startAuthorization, type AuthorizeDeps, type ConsentStep, type NavigationStep } from './authorize.service.js'

/** The authorization endpoint (RFC 6749 §4.1, RFC 7636, RFC 9207) and its consent form. */
export async function authorizeRoutes(server: FastifyInstance): Promise<void> {
  await pageScope(server)
  const deps: AuthorizeDeps = { db: server.db, clock: server.clock, config: server.config, catalogue: server.apiDescription.scopes, secrets: server.secrets, consent: server.consentPolicy }

  server.get<{ Querystring: AuthorizeQuery }>('/oauth/authorize', { schema: authorizeSchema, config: { errorFormat: 'page' } }, async (request, reply) => {
    const step = await startAuthorization(deps, request.query, await currentUser(request), request.url)
    return step.kind === 'consent' ? sendConsent(reply, step, csrfToken(request), reviewAccessPath(server, step.user)) : follow(reply, step)
  })

  server.post<{ Body: DecisionBody }>(
    '/oauth/authorize/decision',
    { schema: decisionSchema, preHandler: verifyCsrf, config: { errorFormat: 'page' } },
    async (request, reply) => {
      const { decision, workspace_access: access, workspaces: ticked = [], ...parameters } = request.body
      const step = await decideAuthorization(deps, parameters, decision, await currentUser(request), { access, ticked })
      return step.kind === 'consent' ? sendConsent(reply, step, csrfToken(request), reviewAccessPath(server, step.user), 400) : follow(reply, step)
    },
  )
}

function follow(reply: FastifyReply, step: NavigationStep): FastifyReply {
  if (step.kind === 'sign-in') return reply.redirect(`/login?return_to=${encodeURIComponent(step.returnTo)}${step.again ? '&again=1' : ''}`, 303)
  return reply.header('cache-control', 'no-store').redirect(step.location, 303)
}

function sendConsent(reply: FastifyReply, step: ConsentStep, token: string, reviewPath: string | undefined, status = 200): FastifyReply {
  const source = formActionSource(step.request.redirectUri)
  if (source) allowFormAction(reply, source)
  const { app, scopes, user, parameters, request, publisher, workspaces } = step
  const profile = { name: app.name, publisher, description: app.description, homepageUrl: app.homepageUrl, verified: app.verifiedAt !== null }
  return sendPage(reply, consentPage({ app: profile, scopes, user, csrfToken: token, parameters, redirectUri: request.redirectUri, reviewAccessPath: reviewPath, workspaces }), status)
}

/** The page listing the apps a person allowed (consent/), when it is served; the consent page points there. */
const AUTHORIZATIONS_PAGE = APP_AUTHORIZATIONS_PATH

function reviewAccessPath(server: FastifyInstance, user: SessionUser): string | undefined {
  const sections = server.settingsNav.visibleTo(user).flatMap((group) => group.sections)
  return sections.some((section) => section.path === AUTHORIZATIONS_PAGE) ? AUTHORIZATIONS_PAGE : undefined
}
