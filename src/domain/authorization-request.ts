import type { OAuthErrorValue } from '../errors.js'
import { redirectUriMatches } from './redirect-uri.js'
import { resolveScope, type ScopeCatalogue } from './scopes.js'

/**
 * The parameters of RFC 6749 §4.1.1, RFC 7636 §4.3 and OpenID Connect's `prompt` that Gatehouse
 * reads, and Gatehouse's own `workspace` (the workspace the app would like to reach, pre-selected
 * on the consent page); others are ignored, as RFC 6749 §3.1 asks.
 */
export const AUTHORIZATION_PARAMETERS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  'prompt',
  'workspace',
] as const

export type AuthorizationParameterName = (typeof AUTHORIZATION_PARAMETERS)[number]

/** What the rules need to know of the app asking (an `App` has these); the domain does not depend on apps/. */
export interface AuthorizingApp {
  clientId: string
  isPublic: boolean
  scopes: readonly string[]
}

/** A parsed query or form: repeated names arrive as arrays. */
export type RawParameters = Partial<Record<string, string | string[]>>

/** Each known parameter once; empty values count as absent. */
export type AuthorizationParameters = Partial<Record<AuthorizationParameterName, string>>

export interface AuthorizationRequest {
  clientId: string
  redirectUri: string
  /** Whether the request named its redirect_uri; if so, the token request must repeat it (RFC 6749 §4.1.3). */
  redirectUriProvided: boolean
  scope: string[]
  state: string | undefined
  codeChallenge: string | null
  codeChallengeMethod: 'S256' | null
  /** What the client asked about showing pages (OpenID Connect Core §3.1.2.1); empty when it did not say. */
  prompt: PromptValue[]
  /**
   * The workspace slug the app named, as a hint only: the consent page pre-selects it when the user
   * belongs to it, and ignores it otherwise (an unknown slug is never an error).
   */
  workspace: string | undefined
}

/**
 * The `prompt` values Gatehouse acts on: `none` (answer without showing a page, or with an error),
 * `login` (sign in again even when signed in), `consent` (ask even if the user decided before).
 * `select_account` and others are refused rather than silently ignored: a client relying on them
 * must learn they are not honoured.
 */
export const PROMPT_VALUES = ['none', 'login', 'consent'] as const

export type PromptValue = (typeof PROMPT_VALUES)[number]

export interface AuthorizationRejection {
  error: OAuthErrorValue
  description: string
}

export type Checked<T> = { ok: true; value: T } | { ok: false; rejection: AuthorizationRejection }

/** RFC 7636 §4.2: base64url of a SHA-256 digest is 43 characters; verifiers allow 43–128 of these. */
const CODE_CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/

/** The known parameters with a single value each, and the names that were repeated (RFC 6749 §3.1 forbids it). */
export function readParameters(raw: RawParameters): { parameters: AuthorizationParameters; repeated: AuthorizationParameterName[] } {
  const parameters: AuthorizationParameters = {}
  const repeated: AuthorizationParameterName[] = []
  for (const name of AUTHORIZATION_PARAMETERS) {
    const value = raw[name]
    if (Array.isArray(value)) repeated.push(name)
    else if (value !== undefined && value !== '') parameters[name] = value
  }
  return { parameters, repeated }
}

/**
 * The redirect URI to answer on, or undefined when it cannot be trusted: the
 * given one when it matches a registered one (see `redirectUriMatches`), or the
 * app's only one when omitted.
 */
export function resolveRedirectUri(registered: readonly string[], given: string | undefined): string | undefined {
  if (given === undefined) return registered.length === 1 ? registered[0] : undefined
  return registered.some((uri) => redirectUriMatches(uri, given)) ? given : undefined
}

/**
 * The checks made once the client and redirect URI are trusted, so a failure
 * can be reported to the client by redirect (RFC 6749 §4.1.2.1).
 */
export function checkAuthorizationRequest(
  app: AuthorizingApp,
  redirectUri: string,
  input: { parameters: AuthorizationParameters; repeated: readonly AuthorizationParameterName[] },
  catalogue: ScopeCatalogue,
  /** Now (ms): a new authorization may not ask for a classic scope past its deprecation day. */
  now: number,
): Checked<AuthorizationRequest> {
  const { parameters, repeated } = input
  if (repeated.length > 0) return reject('invalid_request', `The parameter "${repeated[0]}" is repeated`)

  if (parameters.response_type === undefined) return reject('invalid_request', 'The request is missing "response_type"')
  // Only the code flow: the implicit flow puts tokens in URLs, where history and referrers leak them (Security BCP §2.1.2).
  if (parameters.response_type !== 'code') return reject('unsupported_response_type', 'Only response_type=code is supported')

  const pkce = checkPkce(app, parameters)
  if (!pkce.ok) return pkce

  const scope = checkScope(app, parameters.scope, catalogue, now)
  if (!scope.ok) return scope

  const prompt = checkPrompt(parameters.prompt)
  if (!prompt.ok) return prompt

  return {
    ok: true,
    value: {
      clientId: app.clientId,
      redirectUri,
      redirectUriProvided: parameters.redirect_uri !== undefined,
      scope: scope.value,
      state: parameters.state,
      codeChallenge: pkce.value.challenge,
      codeChallengeMethod: pkce.value.method,
      prompt: prompt.value,
      workspace: parameters.workspace,
    },
  }
}

function checkPkce(app: AuthorizingApp, parameters: AuthorizationParameters): Checked<{ challenge: string | null; method: 'S256' | null }> {
  const challenge = parameters.code_challenge
  const method = parameters.code_challenge_method
  if (challenge === undefined) {
    if (method !== undefined) return reject('invalid_request', 'code_challenge_method was given without a code_challenge')
    if (app.isPublic) return reject('invalid_request', 'This app must use PKCE: send a code_challenge with code_challenge_method=S256')
    return { ok: true, value: { challenge: null, method: null } }
  }
  // An absent method means "plain" (RFC 7636 §4.3), which offers no protection once the challenge is seen.
  if (method !== 'S256') return reject('invalid_request', 'code_challenge_method must be S256; "plain" is not supported')
  if (!CODE_CHALLENGE.test(challenge)) {
    return reject('invalid_request', 'code_challenge must be 43 to 128 characters of A–Z, a–z, 0–9, "-", ".", "_" or "~"')
  }
  return { ok: true, value: { challenge, method: 'S256' } }
}

function checkScope(app: AuthorizingApp, value: string | undefined, catalogue: ScopeCatalogue, now: number): Checked<string[]> {
  const resolved = resolveScope(value, { catalogue, app: app.scopes, newAuthorizationAt: now })
  if (!resolved.ok) return reject(resolved.error.error, resolved.error.description)
  return { ok: true, value: [...resolved.scopes] }
}

function checkPrompt(value: string | undefined): Checked<PromptValue[]> {
  const values = [...new Set((value ?? '').split(' ').filter((v) => v !== ''))]
  const unknown = values.find((v) => !(PROMPT_VALUES as readonly string[]).includes(v))
  if (unknown !== undefined) return reject('invalid_request', `prompt=${unknown} is not supported; Gatehouse supports none, login and consent`)
  if (values.includes('none') && values.length > 1) return reject('invalid_request', 'prompt=none cannot be combined with other prompt values')
  return { ok: true, value: values as PromptValue[] }
}

/**
 * The authorization request at `url` (a path and query), minus `prompt=login`: where a sign-in
 * forced by `prompt=login` returns to. The sign-in just made satisfies it; left in, it would ask
 * again and again. Other prompt values stay.
 */
export function withoutPromptLogin(url: string): string {
  const queryStart = url.indexOf('?')
  if (queryStart === -1) return url
  const query = new URLSearchParams(url.slice(queryStart + 1))
  const rest = (query.get('prompt') ?? '').split(' ').filter((v) => v !== '' && v !== 'login')
  if (rest.length > 0) query.set('prompt', rest.join(' '))
  else query.delete('prompt')
  return `${url.slice(0, queryStart)}?${query}`
}

function reject(error: OAuthErrorValue, description: string): { ok: false; rejection: AuthorizationRejection } {
  return { ok: false, rejection: { error, description } }
}

/**
 * `redirectUri` with the response parameters added after any query it already
 * has (RFC 6749 §3.1.2 keeps it), leaving that query byte for byte as registered.
 */
export function authorizationResponseUri(redirectUri: string, response: Record<string, string | undefined>): string {
  const url = new URL(redirectUri)
  const added = new URLSearchParams()
  for (const [name, value] of Object.entries(response)) if (value !== undefined) added.append(name, value)
  const existing = url.search.slice(1)
  url.search = existing ? `${existing}&${added}` : added.toString()
  return url.toString()
}

/**
 * The CSP source a form may be sent to for this redirect URI: its origin, or
 * its scheme for a native app's private-use URI. Undefined when the URI holds
 * characters that would change the policy's meaning (`;`, `,`, quotes): the
 * redirect is then blocked rather than the policy rewritten.
 */
export function formActionSource(redirectUri: string): string | undefined {
  const url = new URL(redirectUri)
  const source = url.origin !== 'null' ? url.origin : url.protocol
  return /^[a-z][a-z0-9+.-]*:(\/\/[A-Za-z0-9.\-[\]:]+)?$/.test(source) ? source : undefined
}
