import assert from 'node:assert/strict'
import { once } from 'node:events'
import { existsSync } from 'node:fs'
import { Agent, get } from 'node:http'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { freePort } from '../support/app.js'
import { createTestDatabase, type TestDatabase } from '../support/database.js'
import { startServerProcess, type ServerProcess } from '../support/processes.js'
import { startUpstream, type TestUpstream } from '../support/upstream.js'

// `gatehouse serve` as a real process in front of an upstream whose /slow answers only when the test
// says so: a request the test knows is in flight when the signal arrives.
interface Running {
  database: TestDatabase
  upstream: TestUpstream
  server: ServerProcess
  baseUrl: string
  exit: Promise<[number | null, NodeJS.Signals | null]>
  close(): Promise<void>
}

async function serve(env: Record<string, string> = {}): Promise<Running> {
  const database = await createTestDatabase()
  const upstream = await startUpstream()
  const port = await freePort()
  const server = await startServerProcess({
    ...database.env,
    PORT: String(port),
    GATEHOUSE_UPSTREAM: upstream.url,
    GATEHOUSE_SEED_DEMO: 'false',
    GATEHOUSE_LOG_LEVEL: 'info',
    // With Redis configured, its connections (revocations, rate limits, readiness) are closed too.
    ...(process.env.REDIS_URL && database.dialect === 'postgres' ? { REDIS_URL: process.env.REDIS_URL } : {}),
    ...env,
  }).catch(async (error) => {
    await upstream.close()
    await database.drop()
    throw error
  })
  return {
    database,
    upstream,
    server,
    baseUrl: `http://127.0.0.1:${port}`,
    exit: once(server.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>,
    close: async () => {
      upstream.release()
      await server.stop()
      await upstream.close()
      await database.drop()
    },
  }
}

function getWithKeepAlive(url: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent }, (response) => {
      let body = ''
      response.setEncoding('utf8')
      response.on('data', (chunk: string) => (body += chunk))
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }))
    }).on('error', reject)
  })
}

async function refusesConnections(baseUrl: string): Promise<boolean> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const error = await fetch(`${baseUrl}/healthz`).then(() => undefined, (e: Error & { cause?: { code?: string } }) => e)
    if (error?.cause?.code === 'ECONNREFUSED') return true
    await sleep(50)
  }
  return false
}

test('SIGTERM: no new connections, a slow in-flight request still completes, the database is closed, exit 0', async () => {
  const r = await serve()
  try {
    const wal = r.database.dialect === 'sqlite' ? `${r.database.url.slice('sqlite:'.length)}-wal` : undefined
    if (wal) assert.ok(existsSync(wal), 'a running server has the write-ahead log open')
    // A keep-alive client that never closes idle connections itself, as load balancers and browsers hold them.
    const slow = getWithKeepAlive(`${r.baseUrl}/2.0/slow`, new Agent({ keepAlive: true }))
    await r.upstream.slowArrived()
    r.server.child.kill('SIGTERM')

    assert.ok(await refusesConnections(r.baseUrl), 'the server still accepted new connections after SIGTERM')
    assert.equal(r.server.child.exitCode, null, 'the process waits for the request in flight')
    r.upstream.release()
    const answer = await slow
    assert.equal(answer.status, 200)
    assert.deepEqual(JSON.parse(answer.body), { slow: 'done' })

    const [code] = await r.exit
    assert.equal(code, 0, r.server.output())
    assert.match(r.server.output(), /shutting down/)
    assert.match(r.server.output(), /"msg":"shut down"/)
    // SQLite checkpoints and removes the write-ahead log when the last connection closes.
    if (wal) assert.equal(existsSync(wal), false, 'the database was not closed')
  } finally {
    await r.close()
  }
})

test('a second signal exits at once with 1, while a request is still in flight', async () => {
  const r = await serve()
  try {
    const slow = fetch(`${r.baseUrl}/2.0/slow`).then((response) => response.status, () => 'no answer')
    await r.upstream.slowArrived()
    r.server.child.kill('SIGTERM')
    assert.ok(await refusesConnections(r.baseUrl))
    r.server.child.kill('SIGINT')
    const [code] = await r.exit
    assert.equal(code, 1)
    assert.match(r.server.output(), /second signal/)
    assert.equal(await slow, 'no answer', 'the request in flight was abandoned, as asked')
  } finally {
    await r.close()
  }
})

test('GATEHOUSE_SHUTDOWN_TIMEOUT ends a shutdown that a request in flight holds up, with exit 1', async () => {
  const r = await serve({ GATEHOUSE_SHUTDOWN_TIMEOUT: '1' })
  try {
    void fetch(`${r.baseUrl}/2.0/slow`).catch(() => {})
    await r.upstream.slowArrived()
    r.server.child.kill('SIGTERM')
    const [code] = await r.exit
    assert.equal(code, 1)
    assert.match(r.server.output(), /shutdown timed out/)
  } finally {
    await r.close()
  }
})
