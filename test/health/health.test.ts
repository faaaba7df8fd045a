import assert from 'node:assert/strict'
import { test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { startTestApp } from '../support/app.js'
import { startTcpProxy, targetOf } from '../support/tcp-proxy.js'

const redisUrl = process.env.REDIS_URL

test('/healthz and /readyz answer 200 with a small JSON body, without credentials, cookies or rate limiting', async () => {
  // A limit of one request a minute: were the probes limited, the second would be refused.
  const t = await startTestApp({ rateLimitPerMinute: 1, ...(redisUrl ? { redisUrl } : {}) })
  try {
    for (let i = 0; i < 3; i++) {
      const live = await t.app.inject({ url: '/healthz' })
      assert.equal(live.statusCode, 200)
      assert.deepEqual(live.json(), { status: 'ok' })
      const ready = await t.app.inject({ url: '/readyz' })
      assert.equal(ready.statusCode, 200)
      assert.deepEqual(ready.json(), { status: 'ready', checks: redisUrl ? { database: 'ok', redis: 'ok' } : { database: 'ok' } })
      for (const response of [live, ready]) {
        assert.equal(response.headers['set-cookie'], undefined)
        assert.equal(response.headers['cache-control'], 'no-store')
      }
    }
  } finally {
    await t.close()
  }
})

test('/readyz answers 503 naming Redis while Redis is unreachable, and 200 again once it is back', { skip: redisUrl ? false : 'needs REDIS_URL' }, async () => {
  const proxy = await startTcpProxy(targetOf(redisUrl!, 6379))
  const t = await startTestApp({ redisUrl: proxy.via(redisUrl!) })
  try {
    assert.equal((await t.app.inject({ url: '/readyz' })).statusCode, 200)
    await proxy.stop()
    const down = await t.app.inject({ url: '/readyz' })
    assert.equal(down.statusCode, 503)
    const body = down.json() as { status: string; checks: { database: string; redis: string } }
    assert.equal(body.status, 'unavailable')
    assert.equal(body.checks.database, 'ok')
    assert.notEqual(body.checks.redis, 'ok')
    assert.equal((await t.app.inject({ url: '/healthz' })).statusCode, 200, 'liveness does not depend on Redis')

    await proxy.start()
    let status = 0
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = (await t.app.inject({ url: '/readyz' })).statusCode
      if (status !== 200) await sleep(200)
    }
    assert.equal(status, 200, 'ready again once Redis answers, without a restart')
  } finally {
    await t.close()
    await proxy.stop()
  }
})
