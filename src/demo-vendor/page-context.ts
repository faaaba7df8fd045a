import { decodeJwt, jwtVerify, SignJWT } from 'jose'
import type { Clock } from '../domain/clock.js'
import { appUrl } from '../domain/descriptor.js'
import { queryStringHash } from '../domain/qsh.js'
import type { InstallationStore, LiveInstallation, VendorInstallation } from './installation-store.js'
import { invalidJwt, VendorError } from './vendor-errors.js'

/** How long the platform's context token lives: it rides in a URL, so briefly. */
export const PAGE_CONTEXT_SECONDS = 180
/** The longest lifetime (`exp` − `iat`) this vendor accepts in a context token. */
export const PAGE_CONTEXT_MAX_SECONDS = 300
/** How long the page's own forms work after the page was shown. */
const FORM_TOKEN_SECONDS = 15 * 60
const FORM_TOKEN_AUDIENCE = 'gatehouse-demo-vendor:form'
const CLOCK_TOLERANCE_SECONDS = 30

export interface PageModuleFrame {
  /** The app's key: the token's audience. */
  appKey: string
  /** The app's baseUrl, as its descriptor says it. */
  appBaseUrl: string
  /** The page module's `url` from the descriptor, relative to baseUrl (it may have a query). */
  moduleUrl: string
  clientKey: string
  sharedSecret: string
  /** The signed-in user viewing the page (`users.id`). */
  userId: string
  now: number
}

/**
 * The `src` of the iframe in which the platform shows a page module, with the context token this
 * vendor verifies — the form the platform must produce:
 *
 *   src   = <app baseUrl><module url>?jwt=<token>      (`&jwt=` when the module url has a query)
 *   token = a JWT, header {"alg": "HS256", "typ": "JWT"}, signed with the installation's shared
 *           secret (its UTF-8 bytes are the HMAC key), claims:
 *             iss  the installation's clientKey
 *             sub  the viewing user's id (users.id; what impersonation's `sub` names)
 *             aud  the app's key
 *             iat  now, in seconds
 *             exp  iat + 180 (PAGE_CONTEXT_SECONDS); more than PAGE_CONTEXT_MAX_SECONDS after iat is refused
 *             qsh  queryStringHash({ method: 'GET', url: <src without jwt>, baseUrl: <app baseUrl> })
 *                  (src/domain/qsh.ts; `jwt` is never part of the hash)
 */
export async function pageModuleSrc(frame: PageModuleFrame): Promise<string> {
  const url = appUrl(frame.appBaseUrl, frame.moduleUrl)
  const iat = Math.floor(frame.now / 1000)
  const token = await new SignJWT({ qsh: queryStringHash({ method: 'GET', url, baseUrl: frame.appBaseUrl }) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(frame.clientKey)
    .setSubject(frame.userId)
    .setAudience(frame.appKey)
    .setIssuedAt(iat)
    .setExpirationTime(iat + PAGE_CONTEXT_SECONDS)
    .sign(new TextEncoder().encode(frame.sharedSecret))
  return `${url}${url.includes('?') ? '&' : '?'}jwt=${token}`
}

/** Who is looking at the page, and in which installation. */
export interface PageViewer {
  installation: LiveInstallation
  userId: string
}

export interface PageContextOptions {
  /** This app's key: the context token's audience. */
  appKey: string
  store: InstallationStore
  /** The path the app is served under here: request paths are relative to it for `qsh`. */
  basePath: string
  clock: Clock
}

/**
 * Verifies the context token the platform put in the page's URL: its `iss` names the installation,
 * whose shared secret must have signed it (HS256) for this app (`aud`); it must not have expired nor
 * live long, must name the user (`sub`), and its `qsh` must be this very GET. Only then is the installation's state looked at.
 */
export async function verifyPageContext(token: string | undefined, request: { url: string }, options: PageContextOptions): Promise<PageViewer> {
  if (token === undefined || token === '') throw new VendorError('invalid_jwt', 'this page is shown inside the platform, which adds a "jwt" parameter to its URL; open it from the workspace')
  const clientKey = unverifiedIssuer(token)
  const installation = options.store.get(clientKey)
  if (!installation?.sharedSecret) throw new VendorError('unknown_installation', 'the context token names an installation this app does not have (never installed, or uninstalled)')
  let payload
  try {
    ;({ payload } = await jwtVerify(token, new TextEncoder().encode(installation.sharedSecret), {
      algorithms: ['HS256'],
      issuer: clientKey,
      audience: options.appKey,
      requiredClaims: ['iat', 'exp', 'sub', 'aud', 'qsh'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(options.clock.now()),
    }))
  } catch (error) {
    throw invalidJwt(error, 'the context token')
  }
  if (payload.exp! - payload.iat! > PAGE_CONTEXT_MAX_SECONDS) throw new VendorError('invalid_jwt', `the context token lives ${payload.exp! - payload.iat!} s; at most ${PAGE_CONTEXT_MAX_SECONDS} s is accepted`)
  if (payload.qsh !== queryStringHash({ method: 'GET', url: request.url, baseUrl: options.basePath })) {
    throw new VendorError('invalid_jwt', 'the context token: its "qsh" claim does not match this page (it was signed for another URL)')
  }
  return { installation: enabled(installation), userId: payload.sub! }
}

/**
 * The page's forms post back here, not to the platform, so they carry a token of this app's own:
 * its key (never the shared secret, which would make it usable against the platform), the
 * installation and the user, for FORM_TOKEN_SECONDS.
 */
export function formToken(viewer: { installation: Pick<VendorInstallation, 'clientKey'>; userId: string }, options: { formKey: string; clock: Clock }): Promise<string> {
  const iat = Math.floor(options.clock.now() / 1000)
  return new SignJWT({ ck: viewer.installation.clientKey })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setAudience(FORM_TOKEN_AUDIENCE)
    .setSubject(viewer.userId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + FORM_TOKEN_SECONDS)
    .sign(Buffer.from(options.formKey, 'base64url'))
}

export async function verifyFormToken(token: string, options: Omit<PageContextOptions, 'appKey'> & { formKey: string }): Promise<PageViewer> {
  let payload
  try {
    ;({ payload } = await jwtVerify(token, Buffer.from(options.formKey, 'base64url'), {
      algorithms: ['HS256'],
      audience: FORM_TOKEN_AUDIENCE,
      requiredClaims: ['exp', 'sub'],
      currentDate: new Date(options.clock.now()),
    }))
  } catch (error) {
    throw invalidJwt(error, 'the form (open the page again from the workspace)')
  }
  const installation = typeof payload.ck === 'string' ? options.store.get(payload.ck) : undefined
  if (!installation?.sharedSecret) throw new VendorError('unknown_installation', 'this installation has been uninstalled since the page was shown')
  return { installation: enabled(installation), userId: payload.sub! }
}

function unverifiedIssuer(token: string): string {
  let iss: unknown
  try {
    iss = decodeJwt(token).iss
  } catch (error) {
    throw invalidJwt(error, 'the context token')
  }
  if (typeof iss !== 'string' || iss === '') throw new VendorError('invalid_jwt', 'the context token has no "iss" (the clientKey of the installation)')
  return iss
}

function enabled(installation: VendorInstallation): LiveInstallation {
  const { sharedSecret } = installation
  if (installation.state !== 'enabled' || sharedSecret === null) throw new VendorError('installation_disabled', 'this app is disabled in the workspace; a workspace admin can enable it again')
  return { ...installation, sharedSecret }
}
