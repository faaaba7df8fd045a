import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { usingPostgres } from '../support/database.js'
import { runCli } from '../support/processes.js'

// A bad DATABASE_URL is the operator's to fix: every command says so in one line naming the
// variable, with exit code 1 and no stack trace, `serve` included (it fails inside start-up).
const COMMANDS = [['serve'], ['migrate'], ['user', 'list'], ['app', 'list']]
const KEK = Buffer.alloc(32, 7).toString('base64')

function assertOneLine(result: { code: number; stdout: string; stderr: string }, pattern: RegExp, what: string): void {
  assert.equal(result.code, 1, `${what}: ${result.stderr}`)
  assert.equal(result.stderr.trim().split('\n').length, 1, `${what}: ${result.stderr}`)
  assert.match(result.stderr, pattern, what)
  assert.doesNotMatch(result.stderr, /\n\s+at /, what)
}

test('a PostgreSQL server that is down: every command, serve included, is one line naming DATABASE_URL and exit code 1', async () => {
  for (const command of COMMANDS) {
    const result = await runCli(command, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test', GATEHOUSE_KEK: KEK, GATEHOUSE_LOG_LEVEL: 'warn' })
    assertOneLine(result, /^gatehouse: the database is unreachable \(.*\); check DATABASE_URL and that the server is up$/m, command.join(' '))
  }
})

test('PostgreSQL refusing the connection (no such database) is one line naming DATABASE_URL, not a stack trace', { skip: usingPostgres() ? false : 'needs PostgreSQL (DATABASE_URL=postgres://…)' }, async () => {
  const url = new URL(process.env.DATABASE_URL!)
  url.pathname = `/no_such_database_${process.pid}`
  for (const command of [['serve'], ['user', 'list']]) {
    const result = await runCli(command, { DATABASE_URL: url.toString(), GATEHOUSE_KEK: KEK, GATEHOUSE_LOG_LEVEL: 'warn' })
    assertOneLine(result, /^gatehouse: the database refused the connection \(database "no_such_database_\d+" does not exist\); check DATABASE_URL$/m, command.join(' '))
  }
})

test('regression: a SQLite path whose folder is missing fails in one line naming DATABASE_URL and the folder, and creates nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'))
  try {
    const missing = join(dir, 'no', 'such', 'folder')
    for (const command of COMMANDS) {
      // No KEK: `serve` would otherwise make the key file beside the database, in that folder.
      const result = await runCli(command, { DATABASE_URL: `sqlite:${join(missing, 'gatehouse.db')}`, GATEHOUSE_SEED_DEMO: 'false', GATEHOUSE_LOG_LEVEL: 'warn' })
      assertOneLine(result, new RegExp(`^gatehouse: DATABASE_URL names ${join(missing, 'gatehouse.db')}, but the folder ${missing} does not exist`, 'm'), command.join(' '))
      assert.equal(existsSync(join(dir, 'no')), false, `${command.join(' ')} created folders`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a SQLite path naming a file that is not a database is one line naming DATABASE_URL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'))
  try {
    const file = join(dir, 'notes.txt')
    writeFileSync(file, 'not a database\n')
    for (const command of [['migrate'], ['user', 'list']]) {
      const result = await runCli(command, { DATABASE_URL: `sqlite:${file}` })
      assertOneLine(result, new RegExp(`^gatehouse: DATABASE_URL names ${file}, which cannot be used as a SQLite database \\(file is not a database\\)$`, 'm'), command.join(' '))
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('the embedded default (no DATABASE_URL) makes its data/ folder on first use', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'))
  try {
    const result = await runCli(['migrate', '--json'], {}, undefined, dir)
    assert.equal(result.code, 0, result.stderr)
    assert.ok(existsSync(join(dir, 'data', 'gatehouse.db')))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
