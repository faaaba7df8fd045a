import { decodeJwt, SignJWT } from 'jose'
import type { Clock } from '../domain/clock.js'
import { queryStringHash, type FormParameters } from '../domain/qsh.js'
import type { CallRecord, CallStep, LiveInstallation as Live } from './installation-store.js'

/**
 * The three ways an installed app calls the platform's API, each over real HTTP to the platform's
 * public URL, the way a vendor's server would (even though this one shares Gatehouse's process):
 *
 * 1. app JWT: every request carries `Authorization: JWT <token>`, HS256 under the shared secret,
 *    `iss` = clientKey, bound to that request by `qsh` (relative to the platform's URL);
 * 2. JWT grant: one such JWT, for `POST /oauth/token` with `grant_type=urn:bitbucket:oauth2:jwt`,
 *    buys an access token acting as the installation; then plain `Bearer` requests;
 * 3. impersonation: an assertion (HS256 under the shared secret) naming the installation's
 *    `oauthClientId` and a user buys, with the jwt-bearer grant, a token acting as that user.
 *
 * Each returns what the page shows: every request and answer, with credentials masked.
 */

export const JWT_GRANT_TYPE = 'urn:bitbucket:oauth2:jwt'
export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
/** An app JWT is good for this long; the platform allows a few minutes at most. */
export const APP_JWT_SECONDS = 180
/** An impersonation assertion is good for this long; the platform allows 60 s at most. */
export const ASSERTION_SECONDS = 60

const REQUEST_TIMEOUT_MS = 10_000
const MAX_SHOWN_BODY = 4000

export interface PlatformCallOptions {
  /** The platform's URL (the issuer), to which API paths are appended. */
  platformUrl: string
  clock: Clock
}

export interface AppJwtRequest {
  method: string
  /** The absolute URL of the request to the platform. */
  url: string
  /** A form body's parameters: the JWT grant's qsh covers them (its URL has no query). */
  formParameters?: FormParameters
}

/** An app JWT for one request: HS256 under the shared secret, `iss` = clientKey, `qsh` of the request relative to the platform's URL. */
export function appJwt(installation: Live, request: AppJwtRequest, options: PlatformCallOptions): Promise<string> {
  const iat = Math.floor(options.clock.now() / 1000)
  const qsh = queryStringHash({ method: request.method, url: request.url, baseUrl: options.platformUrl, formParameters: request.formParameters })
  return new SignJWT({ qsh })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(installation.clientKey)
    .setIssuedAt(iat)
    .setExpirationTime(iat + APP_JWT_SECONDS)
    .sign(secretKey(installation))
}

/** The jwt-bearer assertion that asks for a token acting as `userId`. */
export function impersonationAssertion(installation: Live, userId: string, options: PlatformCallOptions): Promise<string> {
  const iat = Math.floor(options.clock.now() / 1000)
  return new SignJWT({ tnt: options.platformUrl })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(`urn:gatehouse:clientid:${installation.oauthClientId}`)
    .setSubject(`urn:gatehouse:useraccountid:${userId}`)
    .setAudience(`${options.platformUrl}/oauth/token`)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ASSERTION_SECONDS)
    .sign(secretKey(installation))
}

/** 1. The app JWT: the workspaces the installation's app account belongs to (the one it is installed in). */
export async function callWithAppJwt(installation: Live, userId: string, options: PlatformCallOptions): Promise<CallRecord> {
  const url = `${options.platformUrl}/2.0/workspaces?pagelen=10`
  const token = await appJwt(installation, { method: 'GET', url }, options)
  const step = await send('The API with an app JWT', 'GET', url, { authorization: `JWT ${token}` }, token)
  return finish('app-jwt', userId, [step], options)
}

/** 2. The JWT grant: an access token acting as the installation, then the workspace's repositories with it. */
export async function callWithJwtGrant(installation: Live, userId: string, options: PlatformCallOptions): Promise<CallRecord> {
  const tokenUrl = `${options.platformUrl}/oauth/token`
  const form = { grant_type: JWT_GRANT_TYPE }
  const jwt = await appJwt(installation, { method: 'POST', url: tokenUrl, formParameters: form }, options)
  const exchange = await send('An access token by the JWT grant', 'POST', tokenUrl, { authorization: `JWT ${jwt}` }, jwt, form)
  const steps = [exchange]
  const accessToken = accessTokenOf(exchange)
  if (accessToken) {
    const slug = installation.workspace?.slug
    const url = slug ? `${options.platformUrl}/2.0/repositories/${encodeURIComponent(slug)}` : `${options.platformUrl}/2.0/workspaces`
    steps.push(await send('The API with that token', 'GET', url, { authorization: `Bearer ${accessToken}` }, accessToken))
  }
  return finish('jwt-grant', userId, steps, options)
}

/** 3. Impersonation: an access token acting as the viewing user, then who the API says that is. */
export async function callAsUser(installation: Live, userId: string, options: PlatformCallOptions): Promise<CallRecord> {
  const tokenUrl = `${options.platformUrl}/oauth/token`
  const assertion = await impersonationAssertion(installation, userId, options)
  const exchange = await send('An access token acting as you (jwt-bearer)', 'POST', tokenUrl, {}, assertion, { grant_type: JWT_BEARER_GRANT_TYPE, assertion })
  const steps = [exchange]
  const accessToken = accessTokenOf(exchange)
  if (accessToken) steps.push(await send('The API with that token', 'GET', `${options.platformUrl}/2.0/user`, { authorization: `Bearer ${accessToken}` }, accessToken))
  return finish('impersonation', userId, steps, options)
}

/** The workspace the app JWT's answer names, if it names one. */
export function workspaceFrom(call: CallRecord): { slug: string; name: string } | undefined {
  const step = call.steps[0]
  if (call.method !== 'app-jwt' || step.status !== 200) return undefined
  try {
    const first = (JSON.parse(step.response) as { values?: { slug?: unknown; name?: unknown }[] }).values?.[0]
    return typeof first?.slug === 'string' && typeof first.name === 'string' ? { slug: first.slug, name: first.name } : undefined
  } catch {
    return undefined
  }
}

interface SentStep extends CallStep {
  /** The unmasked answer, kept only until the next step has read its token; never stored. */
  raw?: string
}

async function send(title: string, method: string, url: string, headers: Record<string, string>, jwtOrToken: string, form?: Record<string, string>): Promise<SentStep> {
  const body = form ? new URLSearchParams(form).toString() : undefined
  const shownHeaders = Object.entries(headers).map(([name, value]) => `${name}: ${value.replace(jwtOrToken, mask(jwtOrToken))}`)
  const shownBody = body === undefined ? [] : ['', body.replace(encodeURIComponent(jwtOrToken), mask(jwtOrToken)).replace(jwtOrToken, mask(jwtOrToken))]
  const step: SentStep = {
    title,
    request: [`${method} ${url}`, ...shownHeaders, ...(form ? ['content-type: application/x-www-form-urlencoded'] : []), ...shownBody].join('\n'),
    claims: claimsOf(jwtOrToken),
    status: null,
    response: '',
  }
  try {
    const response = await fetch(url, {
      method,
      headers: { accept: 'application/json', ...headers, ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
    step.status = response.status
    step.raw = await response.text()
    step.response = shown(step.raw)
  } catch (error) {
    step.response = `No answer: ${(error as Error).message}`
  }
  return step
}

function finish(method: CallRecord['method'], userId: string, steps: SentStep[], options: PlatformCallOptions): CallRecord {
  const ok = steps.every((step) => step.status !== null && step.status >= 200 && step.status < 300) && (method === 'app-jwt' || steps.length === 2)
  return { method, at: options.clock.now(), userId, ok, steps: steps.map(({ raw: _raw, ...step }) => step) }
}

function accessTokenOf(step: SentStep): string | undefined {
  if (step.status !== 200 || step.raw === undefined) return undefined
  try {
    const token = (JSON.parse(step.raw) as { access_token?: unknown }).access_token
    return typeof token === 'string' ? token : undefined
  } catch {
    return undefined
  }
}

/** A JWT's claims, to show what was signed; nothing for an opaque token. */
function claimsOf(token: string): Record<string, unknown> | undefined {
  try {
    return decodeJwt(token)
  } catch {
    return undefined
  }
}

/** The answer as the page shows it: JSON indented, every token-like value masked, long answers cut. */
function shown(text: string): string {
  let out = text
  try {
    out = JSON.stringify(JSON.parse(text, (name, value) => (typeof value === 'string' && /(^|_)token$/.test(name) ? mask(value) : value)), null, 2)
  } catch {
    // Not JSON: shown as it came.
  }
  return out.length > MAX_SHOWN_BODY ? `${out.slice(0, MAX_SHOWN_BODY)}\n… (${out.length - MAX_SHOWN_BODY} more characters)` : out
}

/** Enough of a credential to tell two apart, not enough to use one. */
function mask(credential: string): string {
  return credential.length <= 16 ? '…' : `${credential.slice(0, 10)}…(masked)`
}

function secretKey(installation: Live): Uint8Array {
  return new TextEncoder().encode(installation.sharedSecret)
}
