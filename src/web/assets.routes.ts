import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'

interface Asset {
  body: Buffer
  type: string
  etag: string
}

function asset(file: string, type: string): Asset {
  const body = readFileSync(new URL(`./assets/${file}`, import.meta.url))
  return { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` }
}

/** Read once at start-up; cacheable for a day and revalidated by ETag after a release. */
const ASSETS: Record<string, Asset> = {
  '/assets/gatehouse.css': asset('gatehouse.css', 'text/css; charset=utf-8'),
  '/assets/gatehouse.js': asset('gatehouse.js', 'text/javascript; charset=utf-8'),
  '/favicon.svg': asset('favicon.svg', 'image/svg+xml'),
  // Browsers ask for /favicon.ico whatever the page links; the same picture answers.
  '/favicon.ico': asset('favicon.svg', 'image/svg+xml'),
}

export async function assetRoutes(server: FastifyInstance): Promise<void> {
  for (const [path, { body, type, etag }] of Object.entries(ASSETS)) {
    server.get(path, { config: { errorFormat: 'page' } }, async (request, reply) => {
      reply.header('cache-control', 'public, max-age=86400').header('etag', etag)
      if (request.headers['if-none-match'] === etag) return reply.code(304).send()
      return reply.type(type).send(body)
    })
  }
}
