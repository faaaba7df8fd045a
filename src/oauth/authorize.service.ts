import type { App } from '../apps/app.js'
import { appPublisher } from '../apps/app-publisher.js'
import { findAppByClientId } from '../apps/apps.queries.js'
import type { Config } from '../config.js'
import {
  authorizationResponseUri,
  checkAuthorizationRequest,
  readParameters,
  resolveRedirectUri,
  withoutPromptLogin,
  type AuthorizationParameters,
  type AuthorizationRejection,
  type AuthorizationRequest,
  type RawParameters,
} from '../domain/authorization-request.js'
import type { Clock } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { hashSecret, type SecretFormat } from '../domain/opaque-token.js'
import { formatScope, type ScopeDefinition } from '../domain/scopes.js'
import { chooseWorkspaces, preselectedWorkspaces, type WorkspaceAnswer } from '../domain/workspace-choice.js'
import { OAuthError } from '../errors.js'
import type { Db } from '../store/database.js'
import type { SessionUser } from '../web/index.js'
import { APP_AUTHORIZATIONS_PATH, type ConsentPolicy } from './consent-policy.js'
import { insertAuthorizationCode, insertGrant } from './grants.queries.js'
import { listWorkspacesOfMember } from './workspace-choice.queries.js'

export interface AuthorizeDeps {
  db: Db
  clock: Clock
  config: Config
  catalogue: readonly ScopeDefinition[]
  secrets: SecretFormat
  consent: ConsentPolicy
}

/** What the authorization endpoint does next. */
export type AuthorizeStep = NavigationStep | ConsentStep

/** `again`: the browser is signed in, but the client asked for a fresh sign-in (`prompt=login`). */
export type NavigationStep = { kind: 'redirect'; location: string } | { kind: 'sign-in'; returnTo: string; again: boolean }

export interface ConsentStep {
  kind: 'consent'
  app: App
  request: AuthorizationRequest
  /** The understood parameters as received, for the consent form to post back. */
  parameters: AuthorizationParameters
  user: SessionUser
  /** The requested scopes as the catalogue describes them to people. */
  scopes: ScopeDefinition[]
  /** Who stands behind the app ("by …"), when anyone is named. */
  publisher: string | undefined
  /** The choice of workspaces, offered to a user who belongs to two or more; undefined otherwise (the app may reach all). */
  workspaces: WorkspaceOffer | undefined
}

export interface WorkspaceOffer {
  /** The user's workspaces, by slug. */
  options: { slug: string; name: string }[]
  /** Selected: only these slugs, or null for all. */
  selected: readonly string[] | null
  /** Why the last answer could not be taken, shown with the choice. */
  error?: string
}

type Validated = { kind: 'valid'; app: App; request: AuthorizationRequest; parameters: AuthorizationParameters }

/**
 * GET /oauth/authorize: validate, then make sure someone is signed in (afresh for `prompt=login`),
 * then ask them unless they decided before; `url` is where signing in returns to. With
 * `prompt=none`, where a page would be shown the client gets an error instead (OpenID Connect Core §3.1.2.6).
 */
export async function startAuthorization(deps: AuthorizeDeps, raw: RawParameters, user: SessionUser | undefined, url: string): Promise<AuthorizeStep> {
  const validated = await validateAuthorizationRequest(deps, raw)
  if (validated.kind === 'redirect') return validated
  const { app, request } = validated
  const prompt = new Set(request.prompt)

  if (!user && prompt.has('none')) return promptNoneError(deps.config, request, 'login_required', 'The user is not signed in')
  if (!user || prompt.has('login')) return { kind: 'sign-in', returnTo: prompt.has('login') ? withoutPromptLogin(url) : url, again: user !== undefined }

  const answer = await deps.consent.outcome({ userId: user.id, app, scopes: request.scope, askAgain: prompt.has('consent') })
  if (answer.outcome === 'allow') {
    if (answer.decisionId !== null) await deps.consent.used(answer.decisionId)
    return { kind: 'redirect', location: await approve(deps, user, app, request, answer.workspaces) }
  }
  if (answer.outcome === 'deny') return { kind: 'redirect', location: errorLocation(deps.config, request, deniedEarlier(deps.config, app)) }
  if (prompt.has('none')) return promptNoneError(deps.config, request, 'consent_required', 'The user has not yet allowed this app these scopes')

  return consentStep(deps, validated, user, undefined)
}

async function consentStep(deps: AuthorizeDeps, validated: Validated, user: SessionUser, answered: { selected: readonly string[] | null; error: string } | undefined): Promise<ConsentStep> {
  const { app, request } = validated
  const scopes = request.scope.map((name) => deps.catalogue.find((s) => s.name === name) ?? { name, description: name })
  const options = await listWorkspacesOfMember(deps.db, user.id)
  const workspaces = options.length < 2 && !answered ? undefined : answered
    ? { options, ...answered }
    : { options, selected: preselectedWorkspaces(options.map((w) => w.slug), request.workspace) }
  return { ...validated, kind: 'consent', user, scopes, publisher: await appPublisher(deps.db, app), workspaces }
}

/**
 * The consent form's answer, checked again from scratch: the hidden fields came back from the
 * browser. An approval limited to workspaces the user does not belong to, or to none, shows the
 * page again with the reason.
 */
export async function decideAuthorization(
  deps: AuthorizeDeps,
  raw: RawParameters,
  decision: 'allow' | 'deny',
  user: SessionUser | undefined,
  answer: WorkspaceAnswer = { access: undefined, ticked: [] },
): Promise<NavigationStep | ConsentStep> {
  const validated = await validateAuthorizationRequest(deps, raw)
  if (validated.kind === 'redirect') return validated
  // The session ended while the consent page was open: sign in again, then see the same request.
  if (!user) return { kind: 'sign-in', returnTo: authorizationPath(validated.parameters), again: false }
  let workspaces: string[] | null = null
  if (decision === 'allow') {
    const memberOf = (await listWorkspacesOfMember(deps.db, user.id)).map((w) => w.slug)
    const chosen = chooseWorkspaces(memberOf, answer)
    if (!chosen.ok) return consentStep(deps, validated, user, { selected: answer.ticked.filter((slug) => memberOf.includes(slug)), error: chosen.message })
    workspaces = chosen.workspaces
  }
  await deps.consent.record({ userId: user.id, app: validated.app, decision, scopes: validated.request.scope, workspaces })
  if (decision === 'deny') {
    return { kind: 'redirect', location: errorLocation(deps.config, validated.request, { error: 'access_denied', description: `The user denied the request; they can change that at ${deps.config.issuer}${APP_AUTHORIZATIONS_PATH}` }) }
  }
  return { kind: 'redirect', location: await approve(deps, user, validated.app, validated.request, workspaces) }
}

/** A denial stands until the user lifts it: say where, so the app can tell them. */
function deniedEarlier(config: Config, app: App): AuthorizationRejection {
  return { error: 'access_denied', description: `The user denied ${app.name} access earlier; they can change that at ${config.issuer}${APP_AUTHORIZATIONS_PATH}` }
}

/**
 * Client and redirect URI first: until both are trusted, an error is shown
 * here and never redirected, or the endpoint would be an open redirector
 * (RFC 6749 §4.1.2.1).
 */
export async function validateAuthorizationRequest(deps: AuthorizeDeps, raw: RawParameters): Promise<Validated | { kind: 'redirect'; location: string }> {
  const input = readParameters(raw)
  const app = await trustedClient(deps.db, input.parameters.client_id, input.repeated.includes('client_id'))
  const redirectUri = trustedRedirectUri(app, input.parameters.redirect_uri, input.repeated.includes('redirect_uri'))
  const checked = checkAuthorizationRequest(app, redirectUri, input, deps.catalogue, deps.clock.now())
  if (!checked.ok) {
    return { kind: 'redirect', location: errorLocation(deps.config, { redirectUri, state: input.parameters.state }, checked.rejection) }
  }
  return { kind: 'valid', app, request: checked.value, parameters: input.parameters }
}

async function trustedClient(db: Db, clientId: string | undefined, repeated: boolean): Promise<App> {
  if (repeated) throw new OAuthError('invalid_request', 'The client_id parameter is repeated.')
  if (clientId === undefined) throw new OAuthError('invalid_request', 'The request is missing the client_id parameter.')
  const app = await findAppByClientId(db, clientId)
  if (!app || app.disabledAt !== null) throw new OAuthError('invalid_request', 'The app asking for access is not known to Gatehouse, or has been disabled.')
  if (!mayAskUsers(app)) throw new OAuthError('unauthorized_client', 'This app is not allowed to ask users for access.')
  return app
}

function mayAskUsers(app: App): boolean {
  return app.disabledAt === null && app.grantTypes.includes('authorization_code')
}

/**
 * The name of the app a person signs in to continue to, when `returnTo` (the sign-in page's
 * return_to) is an authorization request from an app that may ask for access. Read from the
 * database by client_id, never from the URL, so a link cannot make the sign-in page name
 * anything but a registered, enabled app; undefined otherwise.
 */
export async function appSignedInFor(db: Db, returnTo: string): Promise<string | undefined> {
  const url = new URL(returnTo, 'http://gatehouse.invalid')
  if (url.pathname !== AUTHORIZATION_PATH) return undefined
  const clientIds = url.searchParams.getAll('client_id')
  if (clientIds.length !== 1 || clientIds[0] === '') return undefined
  const app = await findAppByClientId(db, clientIds[0])
  return app && mayAskUsers(app) ? app.name : undefined
}

function trustedRedirectUri(app: App, given: string | undefined, repeated: boolean): string {
  if (repeated) throw new OAuthError('invalid_request', 'The redirect_uri parameter is repeated.')
  const redirectUri = resolveRedirectUri(app.redirectUris, given)
  if (redirectUri === undefined) {
    throw new OAuthError(
      'invalid_request',
      given === undefined
        ? 'The request is missing the redirect_uri parameter, and the app has more than one registered.'
        : 'The redirect_uri does not match any registered for this app.',
    )
  }
  return redirectUri
}

/** One transaction: the grant and its code, so a code never exists without the grant that revokes it. */
async function approve(deps: AuthorizeDeps, user: SessionUser, app: App, request: AuthorizationRequest, workspaces: string[] | null): Promise<string> {
  const { db, clock, config } = deps
  const now = clock.now()
  const code = deps.secrets.generate('authorizationCode')
  const grantId = newId()
  const scope = formatScope(request.scope)
  await db.transaction().execute(async (trx) => {
    await insertGrant(trx, {
      id: grantId,
      app_id: app.id,
      user_id: user.id,
      scope,
      kind: 'authorization_code',
      created_at: now,
      expires_at: now + config.refreshTokenAbsoluteTtlSeconds * 1000,
      revoked_at: null,
      revoked_reason: null,
      workspace_slugs: workspaces === null ? null : JSON.stringify(workspaces),
    })
    await insertAuthorizationCode(trx, {
      id: newId(),
      code_hash: hashSecret(code),
      grant_id: grantId,
      app_id: app.id,
      user_id: user.id,
      redirect_uri: request.redirectUri,
      redirect_uri_provided: request.redirectUriProvided ? 1 : 0,
      scope,
      code_challenge: request.codeChallenge,
      code_challenge_method: request.codeChallengeMethod,
      created_at: now,
      expires_at: now + config.authorizationCodeTtlSeconds * 1000,
      consumed_at: null,
    })
  })
  return authorizationResponseUri(request.redirectUri, { code, state: request.state, iss: config.issuer })
}

function promptNoneError(config: Config, request: AuthorizationRequest, error: 'login_required' | 'consent_required', description: string): NavigationStep {
  return { kind: 'redirect', location: errorLocation(config, request, { error, description: `${description}, and prompt=none forbids asking` }) }
}

/** RFC 6749 §4.1.2.1 with RFC 9207's `iss`, so a client talking to several servers can tell who answered. */
function errorLocation(config: Config, request: { redirectUri: string; state: string | undefined }, rejection: AuthorizationRejection): string {
  return authorizationResponseUri(request.redirectUri, {
    error: rejection.error,
    error_description: rejection.description,
    state: request.state,
    iss: config.issuer,
  })
}

const AUTHORIZATION_PATH = '/oauth/authorize'

function authorizationPath(parameters: AuthorizationParameters): string {
  return `${AUTHORIZATION_PATH}?${new URLSearchParams(parameters as Record<string, string>)}`
}
