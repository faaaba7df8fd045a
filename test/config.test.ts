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
    [{ GATEHOUSE_SEED_DEMO: 'sometimes' }, 'GATEHOUSE_SEED_DEMO'],
    [{ GATEHOUSE_METRICS_TOKEN: 'short' }, 'GATEHOUSE_METRICS_TOKEN'],
    [{ GATEHOUSE_METRICS_TOKEN: 'a token with spaces in it' }, 'GATEHOUSE_METRICS_TOKEN'],
    [{ GATEHOUSE_SHUTDOWN_TIMEOUT: '0' }, 'GATEHOUSE_SHUTDOWN_TIMEOUT'],
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

test('GATEHOUSE_TRUST_PROXY takes a hop count or proxy addresses, and refuses "trust everyone" saying what to write instead', () => {
  assert.equal(loadConfig({}).trustProxy, false)
  assert.equal(loadConfig({ GATEHOUSE_TRUST_PROXY: '1' }).trustProxy, 1)
  assert.deepEqual(loadConfig({ GATEHOUSE_TRUST_PROXY: '10.0.0.0/8,fd00::/8' }).trustProxy, ['10.0.0.0/8', 'fd00::/8'])
  for (const value of ['true', '0.0.0.0/0', '::/0']) {
    assert.throws(() => loadConfig({ GATEHOUSE_TRUST_PROXY: value }), (error: unknown) => {
      assert.ok(error instanceof ConfigError)
      assert.match(error.message, /^GATEHOUSE_TRUST_PROXY /)
      assert.doesNotMatch(error.message, /\n/)
      return true
    })
  }
  assert.throws(() => loadConfig({ GATEHOUSE_TRUST_PROXY: 'true' }), /write the number of proxies in front of Gatehouse \(e\.g\. 1\) or their addresses/)
})

test('failure throttles are on by default with their documented thresholds; a lock maximum below the first lock is refused', () => {
  const config = loadConfig({})
  assert.deepEqual(
    [config.throttle, config.signInFailuresPerAccount, config.signInFailuresPerAddress, config.clientAuthFailuresPerAddress, config.invalidTokensPerMinute],
    [true, 5, 20, 20, 100],
  )
  assert.deepEqual([config.failureWindowSeconds, config.failureLockSeconds, config.failureLockMaxSeconds], [900, 30, 900])
  assert.deepEqual([config.passwordHashConcurrency, config.passwordHashQueue], [2, 32])
  assert.equal(loadConfig({ GATEHOUSE_THROTTLE: 'false' }).throttle, false)
  assert.equal(loadConfig({ GATEHOUSE_FAILURE_LOCK: '3600' }).failureLockMaxSeconds, 3600)
  assert.throws(() => loadConfig({ GATEHOUSE_FAILURE_LOCK: '60', GATEHOUSE_FAILURE_LOCK_MAX: '30' }), (error: unknown) => error instanceof ConfigError && /^GATEHOUSE_FAILURE_LOCK_MAX must be between 60 and/.test(error.message))
})

test('operating settings: the demo seed left to the listener and database unless set, no metrics token, a 10 s shutdown', () => {
  const defaults = loadConfig({})
  assert.equal(defaults.seedDemo, undefined)
  assert.equal(defaults.metricsToken, undefined)
  assert.equal(defaults.shutdownTimeoutSeconds, 10)
  const set = loadConfig({ GATEHOUSE_SEED_DEMO: 'false', GATEHOUSE_METRICS_TOKEN: 'x'.repeat(32), GATEHOUSE_SHUTDOWN_TIMEOUT: '25' })
  assert.equal(set.seedDemo, false)
  assert.equal(set.metricsToken, 'x'.repeat(32))
  assert.equal(set.shutdownTimeoutSeconds, 25)
})

test('secret prefix, key-encryption keys and the password grant: defaults, and bad values named without echoing a key', () => {
  const defaults = loadConfig({})
  assert.equal(defaults.secretPrefix, 'gth')
  assert.equal(defaults.kek, undefined)
  assert.deepEqual(defaults.previousKeks, [])
  assert.equal(defaults.allowPasswordGrant, false)
  const key = Buffer.alloc(32, 7)
  const set = loadConfig({ GATEHOUSE_SECRET_PREFIX: 'acme', GATEHOUSE_KEK: key.toString('base64'), GATEHOUSE_KEK_PREVIOUS: `${Buffer.alloc(32, 1).toString('hex')}, ${Buffer.alloc(32, 2).toString('base64url')}`, GATEHOUSE_ALLOW_PASSWORD_GRANT: 'true' })
  assert.equal(set.secretPrefix, 'acme')
  assert.equal(set.kek?.id, loadConfig({ GATEHOUSE_KEK: key.toString('hex') }).kek?.id)
  assert.equal(set.previousKeks.length, 2)
  assert.equal(set.allowPasswordGrant, true)
  assert.doesNotMatch(JSON.stringify(set), new RegExp(key.toString('base64').slice(0, 20)), 'a configuration dump holds no key')
  for (const [env, variable] of [
    [{ GATEHOUSE_SECRET_PREFIX: 'ghp' }, 'GATEHOUSE_SECRET_PREFIX'],
    [{ GATEHOUSE_SECRET_PREFIX: 'sk' }, 'GATEHOUSE_SECRET_PREFIX'],
    [{ GATEHOUSE_SECRET_PREFIX: 'My_Co' }, 'GATEHOUSE_SECRET_PREFIX'],
    [{ GATEHOUSE_KEK: 'c2VjcmV0LWJ1dC1zaG9ydA==' }, 'GATEHOUSE_KEK'],
    [{ GATEHOUSE_KEK: key.toString('base64'), GATEHOUSE_KEK_FILE: '/etc/kek' }, 'GATEHOUSE_KEK'],
    [{ GATEHOUSE_KEK_PREVIOUS: 'c2VjcmV0LWJ1dC1zaG9ydA==' }, 'GATEHOUSE_KEK_PREVIOUS'],
    [{ GATEHOUSE_ALLOW_PASSWORD_GRANT: 'sometimes' }, 'GATEHOUSE_ALLOW_PASSWORD_GRANT'],
  ] as const) {
    assert.throws(() => loadConfig(env), (error: unknown) => {
      assert.ok(error instanceof ConfigError)
      assert.match(error.message, new RegExp(`^${variable}[ :]`))
      assert.doesNotMatch(error.message, /\n|c2VjcmV0/)
      return true
    })
  }
})

test('GATEHOUSE_EXPLICIT_CONSENT is on by default, or labs; anything else names the variable', () => {
  assert.equal(loadConfig({}).explicitConsent, 'on')
  assert.equal(loadConfig({ GATEHOUSE_EXPLICIT_CONSENT: 'labs' }).explicitConsent, 'labs')
  assert.equal(loadConfig({ GATEHOUSE_EXPLICIT_CONSENT: 'on' }).explicitConsent, 'on')
  for (const value of ['off', 'ON', 'yes']) {
    assert.throws(() => loadConfig({ GATEHOUSE_EXPLICIT_CONSENT: value }), (error: unknown) => {
      assert.ok(error instanceof ConfigError)
      assert.match(error.message, /^GATEHOUSE_EXPLICIT_CONSENT must be one of on, labs, got "/)
      return true
    })
  }
})
