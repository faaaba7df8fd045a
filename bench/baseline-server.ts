import Fastify from 'fastify'

// The baseline: the least a Fastify server does to answer with a small JSON body.
const server = Fastify({ logger: false })
server.get('/bench/baseline', async () => ({ hello: 'world' }))
await server.listen({ host: '127.0.0.1', port: 0 })
const { port } = server.server.address() as { port: number }
process.stdout.write(`READY ${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`)
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)))
