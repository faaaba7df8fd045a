import { lookup } from 'node:dns/promises'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import { checkCallbackTarget, type CallbackAllowlist } from '../domain/callback-target.js'

/** Where requests to apps (callbacks, descriptor fetches) may go: the deployment's allowlist, and loopback when Gatehouse listens there. */
export interface AppRequestPolicy {
  allowlist: CallbackAllowlist
  allowLoopback: boolean
  timeoutMs: number
}

export interface AppRequest {
  method: 'GET' | 'POST'
  url: string
  /** The origin the request must stay on: the app's baseUrl (a descriptor fetch: its own URL). */
  baseUrl: string
  headers?: Record<string, string>
  body?: string
}

export interface AppResponse {
  status: number
  /** At most `MAX_RESPONSE_BYTES`; the rest is dropped. */
  body: string
  contentType: string | undefined
}

/** The request never reached the app: refused by the target rule, or a network failure. The message says which, for the delivery log. */
export class AppUnreachableError extends Error {
  constructor(
    message: string,
    readonly refused: boolean,
  ) {
    super(message)
  }
}

const MAX_RESPONSE_BYTES = 256 * 1024

/**
 * One request to an app. The host is resolved once, every address it gave is checked
 * (`checkCallbackTarget`), and the connection goes to exactly the checked address, so a second DNS
 * answer cannot point it inside the network. Redirects are not followed: a 3xx is the app's answer.
 */
export async function requestApp(request: AppRequest, policy: AppRequestPolicy): Promise<AppResponse> {
  const url = new URL(request.url)
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host)
  const verdict = checkCallbackTarget({ url: request.url, baseUrl: request.baseUrl, addresses: addresses.map((a) => a.address), allowlist: policy.allowlist, allowLoopback: policy.allowLoopback })
  if (!verdict.ok) throw new AppUnreachableError(verdict.reason, true)
  const [pinned] = addresses
  return send(url, request, pinned, policy.timeoutMs)
}

async function resolve(host: string): Promise<{ address: string; family: number }[]> {
  try {
    return await lookup(host, { all: true, verbatim: true })
  } catch (error) {
    throw new AppUnreachableError(`the host ${host} could not be resolved (${(error as NodeJS.ErrnoException).code ?? 'DNS error'})`, false)
  }
}

function send(url: URL, request: AppRequest, pinned: { address: string; family: number }, timeoutMs: number): Promise<AppResponse> {
  const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8')
  const requester = url.protocol === 'https:' ? httpsRequest : httpRequest
  return new Promise((resolvePromise, reject) => {
    const outgoing = requester(
      url,
      {
        method: request.method,
        headers: { 'user-agent': 'Gatehouse', ...(body ? { 'content-length': String(body.length) } : {}), ...request.headers },
        // The checked address, whatever a new lookup would say; TLS still checks the certificate against the host name.
        lookup: (_hostname, options, callback) => {
          if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned])
          else callback(null, pinned.address, pinned.family)
        },
        timeout: timeoutMs,
      },
      (response) => collect(response).then(resolvePromise, reject),
    )
    outgoing.on('timeout', () => outgoing.destroy(new AppUnreachableError(`no answer within ${timeoutMs / 1000} s`, false)))
    outgoing.on('error', (error) => reject(error instanceof AppUnreachableError ? error : new AppUnreachableError(describeNetworkError(error), false)))
    outgoing.end(body)
  })
}

function collect(response: IncomingMessage): Promise<AppResponse> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    response.on('data', (chunk: Buffer) => {
      if (size >= MAX_RESPONSE_BYTES) return
      chunks.push(chunk)
      size += chunk.length
    })
    response.on('end', () => resolvePromise({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8'), contentType: response.headers['content-type'] }))
    response.on('error', (error) => reject(new AppUnreachableError(describeNetworkError(error), false)))
  })
}

function describeNetworkError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ECONNREFUSED') return 'the connection was refused'
  if (code === 'ECONNRESET') return 'the connection was reset'
  if (code === 'ETIMEDOUT') return 'the connection timed out'
  if (code?.startsWith('ERR_TLS') || code?.includes('CERT')) return `TLS failed (${code})`
  return code ? `the request failed (${code})` : `the request failed (${error.message})`
}
