import { randomBytes } from 'node:crypto'
import type { App } from '../apps/app.js'
import { s256Challenge } from '../domain/pkce.js'
import { formatScope, type ScopeDefinition } from '../domain/scopes.js'
import { partlyMasked, send, type OutgoingRequest } from './exchange.js'
import { PLAYGROUND_CLIENT_ID, playgroundCallback } from './playground-client.js'
import type { RequestStep, Walk } from './walks.js'

/** The API call of step 5: the caller's own account, which every demo user has. */
export const API_PATH = '/2.0/user'

export type TokenKind = 'access_token' | 'refresh_token'

/** Why a step cannot run yet, said on the page. */
export class StepNotReady extends Error {}

/**
 * The scopes a person may ask for: the playground app's, described as the API's catalogue describes them;
 * its granular ones only, unless it was registered before the catalogue had any.
 */
export function offeredScopes(app: App, catalogue: readonly ScopeDefinition[]): ScopeDefinition[] {
  const held = catalogue.filter((scope) => app.scopes.includes(scope.name))
  const granular = held.filter((scope) => scope.replacedBy === undefined)
  return granular.length > 0 ? granular : held
}

/**
 * Step 1: a new authorization request, as a client builds one — a fresh `state` to recognise the
 * answer, and PKCE (RFC 7636): a random `code_verifier` kept here, and its S256 `code_challenge`
 * sent in the URL. A problem instead when the chosen scopes are none, or not among those offered.
 */
export function startWalk(issuer: string, offered: readonly ScopeDefinition[], chosen: readonly string[]): Walk | { problem: string } {
  if (chosen.length === 0) return { problem: 'Choose at least one scope to ask for' }
  const unknown = chosen.filter((name) => !offered.some((scope) => scope.name === name))
  if (unknown.length > 0) return { problem: `The playground cannot ask for ${unknown.join(', ').slice(0, 200)}` }
  const scope = [...new Set(chosen)]
  const state = randomBytes(16).toString('base64url')
  const codeVerifier = randomBytes(32).toString('base64url')
  const codeChallenge = s256Challenge(codeVerifier)
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: PLAYGROUND_CLIENT_ID,
    redirect_uri: playgroundCallback(issuer),
    scope: formatScope(scope),
    state,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
  })
  return { scope, state, codeVerifier, codeChallenge, authorizationUrl: `${issuer}/oauth/authorize?${query}`, exchanges: {} }
}

/** The callback's query as received, in its order (a server may add parameters of its own). */
export interface CallbackQuery {
  code?: string
  state?: string
  iss?: string
  error?: string
  error_description?: string
  [extension: string]: unknown
}

/**
 * Step 3: what the browser brought back. A client must refuse an answer whose `state` is not the
 * one it sent (someone else's code, slipped into this browser), and should check `iss` (RFC 9207)
 * when it talks to several servers. A walk answers once, and belongs from then on to `userId`, the
 * account signed in (the one that just allowed).
 */
export function receiveCallback(issuer: string, walk: Walk | undefined, query: CallbackQuery, userId: string | undefined): Walk | { problem: string } {
  if (!walk) return { problem: 'This browser has no authorization request waiting for an answer: it may have expired (after an hour) or the server restarted. Build a new one in step 1.' }
  if (query.state !== walk.state) {
    return { problem: "The state in this answer is not the one the playground sent, so it was refused: a client that accepted it could be handed someone else's code. Build a new authorization request in step 1." }
  }
  if (walk.callback) return { problem: 'This authorization request was already answered; build a new one in step 1 to go again.' }
  const shown = Object.entries(query)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([name, value]): [string, string] => [name, name === 'code' ? partlyMasked(value) : new URLSearchParams({ v: value }).toString().slice(2)])
  return {
    ...walk,
    // Whoever just allowed: the code, and the tokens it turns into, are theirs.
    ownerId: userId,
    callback: { query: shown, code: query.code, error: query.error, errorDescription: query.error_description, issMatches: query.iss === issuer },
  }
}

/**
 * The walk as `userId` may see it. Its tokens are its owner's: on a shared browser, whoever signs in
 * next (or nobody, after signing out) sees the steps but neither the tokens nor the answers that hold them.
 */
export function walkSeenBy(walk: Walk | undefined, userId: string | undefined): { walk: Walk | undefined; tokensHidden: boolean } {
  if (!walk || walk.ownerId === undefined || walk.ownerId === userId) return { walk, tokensHidden: false }
  return { walk: { ...walk, accessToken: undefined, refreshToken: undefined, exchanges: {} }, tokensHidden: true }
}

/** Step 4: the code and the code_verifier for tokens; a public client names itself with client_id alone. */
export async function exchangeCode(issuer: string, walk: Walk): Promise<Walk> {
  const code = walk.callback?.code
  if (code === undefined) throw new StepNotReady('There is no code to exchange yet: sign in and allow in step 2 first.')
  if (walk.exchanges.token?.response?.status === 200) throw new StepNotReady('The code was already exchanged; a code works once.')
  return request(issuer, walk, 'token', {
    method: 'POST',
    path: '/oauth/token',
    form: [['grant_type', 'authorization_code'], ['code', code], ['redirect_uri', playgroundCallback(issuer)], ['client_id', PLAYGROUND_CLIENT_ID], ['code_verifier', walk.codeVerifier]],
    maskedFields: ['code'],
  })
}

/** Step 5: the API, with the access token as a bearer token. */
export async function callApi(issuer: string, walk: Walk): Promise<Walk> {
  return request(issuer, walk, 'api', { method: 'GET', path: API_PATH, bearer: tokenOf(walk, 'access_token') })
}

/** Step 6: a new access token, and (rotation) a new refresh token that replaces the one sent. */
export async function refresh(issuer: string, walk: Walk): Promise<Walk> {
  return request(issuer, walk, 'refresh', {
    method: 'POST',
    path: '/oauth/token',
    form: [['grant_type', 'refresh_token'], ['refresh_token', tokenOf(walk, 'refresh_token')], ['client_id', PLAYGROUND_CLIENT_ID]],
    maskedFields: ['refresh_token'],
  })
}

/** Step 7: RFC 7662, which an app may ask about its own tokens. */
export async function introspect(issuer: string, walk: Walk, kind: TokenKind): Promise<Walk> {
  return request(issuer, walk, 'introspect', {
    method: 'POST',
    path: '/oauth/introspect',
    form: [['token', tokenOf(walk, kind)], ['token_type_hint', kind], ['client_id', PLAYGROUND_CLIENT_ID]],
    maskedFields: ['token'],
  })
}

/** Step 8: RFC 7009. Revoking the refresh token ends its whole grant, access tokens included. */
export async function revoke(issuer: string, walk: Walk, kind: TokenKind): Promise<Walk> {
  return request(issuer, walk, 'revoke', {
    method: 'POST',
    path: '/oauth/revoke',
    form: [['token', tokenOf(walk, kind)], ['token_type_hint', kind], ['client_id', PLAYGROUND_CLIENT_ID]],
    maskedFields: ['token'],
  })
}

function tokenOf(walk: Walk, kind: TokenKind): string {
  const token = kind === 'access_token' ? walk.accessToken : walk.refreshToken
  if (token === undefined) throw new StepNotReady('There are no tokens yet: exchange the code in step 4 first.')
  return token
}

/** Sends one step's request; a token response (exchange, refresh) replaces the tokens the walk holds. */
async function request(issuer: string, walk: Walk, step: RequestStep, outgoing: OutgoingRequest): Promise<Walk> {
  const { exchange, json } = await send(issuer, outgoing)
  const next: Walk = { ...walk, exchanges: { ...walk.exchanges, [step]: exchange } }
  if ((step === 'token' || step === 'refresh') && exchange.response?.status === 200 && isTokenResponse(json)) {
    next.accessToken = json.access_token
    next.refreshToken = json.refresh_token ?? walk.refreshToken
  }
  return next
}

function isTokenResponse(json: unknown): json is { access_token: string; refresh_token?: string } {
  return typeof json === 'object' && json !== null && typeof (json as { access_token?: unknown }).access_token === 'string'
}
