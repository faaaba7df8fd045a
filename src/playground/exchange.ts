/** An HTTP request as the playground shows it: secrets partly masked, everything else as sent. */
export interface ShownRequest {
  method: string
  url: string
  headers: [string, string][]
  body?: string
}

export interface ShownResponse {
  status: number
  statusText: string
  headers: [string, string][]
  /** Pretty-printed when JSON. */
  body: string
}

/** One request the playground made and what came back, or why nothing did. */
export interface Exchange {
  request: ShownRequest
  response?: ShownResponse
  failure?: string
}

export interface OutgoingRequest {
  method: 'GET' | 'POST'
  /** On the issuer: the playground only ever calls its own Gatehouse. */
  path: string
  bearer?: string
  form?: [string, string][]
  /** Form fields shown partly masked: credentials the person does not need to read again. */
  maskedFields?: readonly string[]
}

const TIMEOUT_MS = 10_000

/**
 * Sends `request` to the issuer over real HTTP, as any client would, and records it for the page.
 * The full values go on the wire; the record masks the bearer token and the named form fields,
 * since they were shown (or are not needed) elsewhere. The response is shown whole: the tokens in
 * it are the person's own, and what they came for.
 */
export async function send(issuer: string, request: OutgoingRequest): Promise<{ exchange: Exchange; json?: unknown }> {
  const url = `${issuer}${request.path}`
  const body = request.form ? formBody(request.form) : undefined
  const headers: [string, string][] = [['accept', 'application/json']]
  if (request.bearer !== undefined) headers.push(['authorization', `Bearer ${request.bearer}`])
  if (body !== undefined) headers.push(['content-type', 'application/x-www-form-urlencoded'])

  const shown: ShownRequest = {
    method: request.method,
    url,
    headers: [
      ['Host', new URL(url).host],
      ...headers.map(([name, value]): [string, string] => [displayName(name), name === 'authorization' ? `Bearer ${partlyMasked(request.bearer!)}` : value]),
      ...(body === undefined ? [] : [['Content-Length', String(Buffer.byteLength(body))] as [string, string]]),
    ],
    body: request.form ? formBody(request.form, request.maskedFields ?? []) : undefined,
  }
  try {
    const response = await fetch(url, { method: request.method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) })
    const text = await response.text()
    const json = parseJson(response.headers.get('content-type'), text)
    return {
      exchange: {
        request: shown,
        response: {
          status: response.status,
          statusText: response.statusText,
          headers: [...response.headers.entries()],
          body: json === undefined ? text : JSON.stringify(json, null, 2),
        },
      },
      json,
    }
  } catch (error) {
    return { exchange: { request: shown, failure: `No answer from ${url}: ${reason(error)}` } }
  }
}

/** The first ten characters and the last four: enough to tell tokens apart, not enough to use one. */
export function partlyMasked(secret: string): string {
  if (secret.length <= 20) return '•'.repeat(8)
  return `${secret.slice(0, 10)}…${secret.slice(-4)}`
}

/** `application/x-www-form-urlencoded`, masked fields written as they are shown (not percent-encoded). */
function formBody(fields: [string, string][], masked: readonly string[] = []): string {
  return fields.map(([name, value]) => `${name}=${masked.includes(name) ? partlyMasked(value) : encodeURIComponent(value)}`).join('&')
}

function displayName(header: string): string {
  return header.replace(/(^|-)([a-z])/g, (_, dash: string, letter: string) => `${dash}${letter.toUpperCase()}`)
}

function parseJson(contentType: string | null, text: string): unknown {
  if (!contentType?.includes('json') || text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function reason(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause
    return cause?.code ?? cause?.message ?? error.message
  }
  return String(error)
}
