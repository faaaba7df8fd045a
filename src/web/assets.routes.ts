import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'

const stylesheet = readFileSync(new URL('./assets/gatehouse.css', import.meta.url))
const etag = `"${createHash('sha256').update(stylesheet).digest('base64url').slice(0, 16)}"`

/** The stylesheet, read once; cacheable for a day and revalidated by ETag after a release. */
export async function assetRoutes(server: FastifyInstance): Promise<void> {
  server.get('/assets/gatehouse.css', { config: { errorFormat: 'page' } }, async (request, reply) => {
    reply.header('cache-control', 'public, max-age=86400').header('etag', etag)
    if (request.headers['if-none-match'] === etag) return reply.code(304).send()
    return reply.type('text/css; charset=utf-8').send(stylesheet)
  })
}
