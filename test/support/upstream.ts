import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders } from 'node:http'

/**
 * A small API for GATEHOUSE_UPSTREAM in tests that run Gatehouse as a real process: its OpenAPI
 * document, `GET /items` (needs `items:read`), and `GET /slow` (public), which answers only when the
 * test calls `release()` — a request the test knows is in flight.
 */
export interface TestUpstream {
  url: string
  /** Headers of every request that reached the upstream, oldest first. */
  seen: IncomingHttpHeaders[]
  /** Resolves once a request to /slow is waiting. */
  slowArrived(): Promise<void>
  /** Answers every waiting /slow request. */
  release(): void
  close(): Promise<void>
}

export const UPSTREAM_DOCUMENT = {
  openapi: '3.1.0',
  info: { title: 'Items', version: '1' },
  components: {
    securitySchemes: {
      oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://example.test/token', scopes: { 'items:read': 'Read items' } } } },
    },
  },
  security: [{ oauth2: ['items:read'] }],
  paths: {
    '/items': { get: { operationId: 'listItems' } },
    '/slow': { get: { operationId: 'slow', security: [] } },
  },
}

export async function startUpstream(): Promise<TestUpstream> {
  const seen: IncomingHttpHeaders[] = []
  let waiting: Array<() => void> = []
  let arrived: Array<() => void> = []
  const server = createServer((request, response) => {
    const path = request.url?.replace(/^\/api/, '').split('?')[0]
    if (path === '/openapi.json') return json(response, UPSTREAM_DOCUMENT)
    seen.push(request.headers)
    if (path === '/slow') {
      waiting.push(() => json(response, { slow: 'done' }))
      for (const notify of arrived) notify()
      arrived = []
      return
    }
    if (path === '/items') return json(response, { items: [], user: request.headers['x-gatehouse-user-id'] })
    response.writeHead(404).end()
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}/api`,
    seen,
    slowArrived: () => (waiting.length > 0 ? Promise.resolve() : new Promise<void>((resolve) => arrived.push(resolve))),
    release: () => {
      for (const answer of waiting) answer()
      waiting = []
    },
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function json(response: import('node:http').ServerResponse, body: unknown): void {
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}
