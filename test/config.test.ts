import assert from 'node:assert/strict'
import { test } from 'node:test'
import { loadConfig } from '../src/config.js'
import { ConfigError } from '../src/errors.js'

test('defaults serve on 127.0.0.1:8080 with an embedded SQLite file', () => {
  const config = loadConfig({})
  assert.equal(config.host, '127.0.0.1')
  assert.equal(config.port, 8080)
  assert.equal(config.issuer, 'http://127.0.0.1:8080')
  assert.equal(config.databaseUrl, 'sqlite:data/gatehouse.db')
  assert.equal(config.accessTokenTtlSeconds, 3600)
  assert.equal(config.refreshTokenReuseGraceSeconds, 0)
})

test('a wrong value names the variable in a one-line message', () => {
  for (const [env, variable] of [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ GATEHOUSE_UPSTREAM: 'not a url' }, 'GATEHOUSE_UPSTREAM'],
    [{ GATEHOUSE_TRUST_PROXY: 'maybe' }, 'GATEHOUSE_TRUST_PROXY'],
    [{ GATEHOUSE_LOG_LEVEL: 'loud' }, 'GATEHOUSE_LOG_LEVEL'],
  ] as const) {
    assert.throws(() => loadConfig(env), (error: unknown) => {
      assert.ok(error instanceof ConfigError)
      assert.match(error.message, new RegExp(`^${variable} `))
      assert.doesNotMatch(error.message, /\n/)
      return true
    })
  }
})

test('DATABASE_URL selects PostgreSQL or another SQLite file', () => {
  assert.equal(loadConfig({ DATABASE_URL: 'postgres://127.0.0.1/test' }).databaseUrl, 'postgres://127.0.0.1/test')
  assert.equal(loadConfig({ DATABASE_URL: 'sqlite:/tmp/x.db' }).databaseUrl, 'sqlite:/tmp/x.db')
})
