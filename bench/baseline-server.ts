import Fastify from 'fastify'

// The baseline: the least a Fastify server does to answer with a small JSON body.
const app = Fastify({ logger: false })
app.get('/', async () => ({ hello: 'world' }))
await app.listen({ host: '127.0.0.1', port: 0 })
const { port } = app.server.address() as { port: number }
process.stdout.write(`READY ${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`)
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)))
