import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose'
import { queryStringHash } from '../../src/domain/qsh.js'

/** One request the vendor received, with what verifying its `Authorization: JWT` found. */
export interface ReceivedCallback {
  method: string
  path: string
  body: Record<string, unknown>
  /** The verified claims, or why the token failed (a test asserts the platform's signature is good). */
  verified: { ok: true; claims: JWTPayload; kid: string } | { ok: false; reason: string }
}

export interface TestVendor {
  baseUrl: string
  received: ReceivedCallback[]
  /** What the next callbacks answer: a status, or a function deciding per request. */
  answer: number | ((callback: ReceivedCallback) => number)
  /** Served at `/descriptor.json`. */
  descriptor(overrides?: Record<string, unknown>): Record<string, unknown>
  serveDescriptor(document: unknown, status?: number): void
  close(): Promise<void>
}

/**
 * A vendor's app on a port of its own, as a real one would be: it verifies each callback's JWT with
 * jose against the platform's JWKS (iss, aud = its baseUrl, RS256, and the `qsh` of the request),
 * records it, and answers what the test says.
 */
export async function startTestVendor(platformIssuer: string, key = 'acme-reports'): Promise<TestVendor> {
  const jwks = createRemoteJWKSet(new URL(`${platformIssuer}/connect/jwks.json`))
  let served: { document: unknown; status: number } | undefined
  const vendor: TestVendor = {
    baseUrl: '',
    received: [],
    answer: 204,
    descriptor: (overrides = {}) => ({
      key,
      name: 'Acme reports',
      description: 'Reports on your repositories',
      vendor: { name: 'Acme', url: 'https://acme.example' },
      baseUrl: vendor.baseUrl,
      authentication: { type: 'jwt' },
      lifecycle: { installed: '/installed', uninstalled: '/uninstalled', enabled: '/enabled', disabled: '/disabled' },
      scopes: ['account', 'repository'],
      modules: { pages: [{ key: 'overview', name: 'Overview', url: '/overview' }] },
      ...overrides,
    }),
    serveDescriptor: (document, status = 200) => {
      served = { document, status }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
  const server: Server = createServer((request, response) => {
    void handle(request).then(
      ({ status, body }) => {
        response.writeHead(status, { 'content-type': 'application/json' }).end(body)
      },
      () => response.writeHead(500).end(),
    )
  })

  async function handle(request: IncomingMessage): Promise<{ status: number; body: string }> {
    const path = request.url ?? '/'
    if (request.method === 'GET' && path === '/descriptor.json') {
      return served ? { status: served.status, body: typeof served.document === 'string' ? served.document : JSON.stringify(served.document) } : { status: 404, body: '{}' }
    }
    const chunks: Buffer[] = []
    for await (const chunk of request) chunks.push(chunk as Buffer)
    const text = Buffer.concat(chunks).toString('utf8')
    const callback: ReceivedCallback = { method: request.method ?? '', path, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, verified: await verify(request, path) }
    vendor.received.push(callback)
    const status = typeof vendor.answer === 'number' ? vendor.answer : vendor.answer(callback)
    return { status, body: status >= 400 ? JSON.stringify({ error: 'the vendor says no' }) : '{}' }
  }

  async function verify(request: IncomingMessage, path: string): Promise<ReceivedCallback['verified']> {
    const header = request.headers.authorization ?? ''
    if (!header.startsWith('JWT ')) return { ok: false, reason: 'no JWT authorization' }
    try {
      const { payload, protectedHeader } = await jwtVerify(header.slice(4), jwks, { issuer: platformIssuer, audience: vendor.baseUrl, algorithms: ['RS256'] })
      const expected = queryStringHash({ method: request.method ?? 'POST', url: path, baseUrl: vendor.baseUrl })
      if (payload.qsh !== expected) return { ok: false, reason: `qsh ${String(payload.qsh)} is not ${expected}` }
      return { ok: true, claims: payload, kid: protectedHeader.kid ?? '' }
    } catch (error) {
      return { ok: false, reason: (error as Error).message }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  vendor.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return vendor
}
