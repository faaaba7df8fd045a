import assert from 'node:assert/strict'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { runCli } from '../support/processes.js'

const EXAMPLES = fileURLToPath(new URL('../../examples/lint/', import.meta.url))
const CATALOGUE = fileURLToPath(new URL('../../src/platform/scope-catalogue.yml', import.meta.url))

let work: string
/** The sample catalogue with its classic scopes' deprecation day moved, so these tests do not depend on today's date. */
let beforeTheDay: Record<string, string>
let afterTheDay: Record<string, string>

before(() => {
  work = mkdtempSync(join(tmpdir(), 'gatehouse-lint-'))
  const catalogue = readFileSync(CATALOGUE, 'utf8')
  assert.match(catalogue, /deprecated: 2027-06-07/)
  writeFileSync(join(work, 'future.yml'), catalogue.replaceAll('deprecated: 2027-06-07', 'deprecated: 2999-01-01'))
  writeFileSync(join(work, 'past.yml'), catalogue.replaceAll('deprecated: 2027-06-07', 'deprecated: 2020-01-01'))
  beforeTheDay = { GATEHOUSE_LOG_LEVEL: 'silent', GATEHOUSE_SCOPE_CATALOGUE: join(work, 'future.yml') }
  afterTheDay = { ...beforeTheDay, GATEHOUSE_SCOPE_CATALOGUE: join(work, 'past.yml') }
})

after(() => rmSync(work, { recursive: true, force: true }))

/** A fresh copy of an example app, so --fix can write to it. */
function copyOf(example: string): string {
  const dir = mkdtempSync(join(work, `${example}-`))
  cpSync(join(EXAMPLES, example), dir, { recursive: true })
  return dir
}

async function lint(args: string[], env = beforeTheDay) {
  const result = await runCli(['lint', ...args], env)
  return { ...result, lines: result.stdout.trimEnd().split('\n') }
}

const JS_APP_PROBLEMS = [
  'src/index.js:19:24  warning  the path of this fetch call could not be read: url is not a constant in this file  unresolved-call',
  'static/panel/panel.js:5:10  error  GET /2.0/repositories/{workspace}/{repo_slug}/issues/{issue_id}/comments requires "read:issue-comment" scope  permission-scope-required',
  'static/panel/panel.js:12:10  error  POST /2.0/repositories/{workspace}/{repo_slug}/issues/{issue_id}/comments requires "write:issue-comment" scope  permission-scope-required',
  'static/panel/panel.js:21:10  warning  the path of this AP.request call could not be read: /2.0/${resource} is built at run time  unresolved-call',
  'warning  scope "account" is deprecated; use "read:user"  deprecated-scope',
  'warning  scope "write:issue" is not used by any call  unused-scope',
]

test('the js example: one line per problem, rule last, then a summary; exit 1 while an error remains', async () => {
  const result = await lint([copyOf('js-app')])
  assert.equal(result.stderr, '')
  assert.deepEqual(result.lines, [...JS_APP_PROBLEMS, '6 problems (2 errors, 4 warnings)'])
  assert.equal(result.code, 1)
})

test('the ts example: TypeScript and TSX sources, a flow-style manifest, an endpoint the API lacks, a scope the catalogue lacks', async () => {
  const result = await lint([copyOf('ts-app')])
  assert.deepEqual(result.lines, [
    'src/api.ts:33:26  error  GET /2.0/repositories/{workspace}/{repo_slug}/issues requires "read:issue" scope  permission-scope-required',
    'src/api.ts:39:26  warning  GET /2.0/user/emails matches no operation of the API  unknown-endpoint',
    'warning  scope "workspace" is deprecated; use "read:workspace", "read:workspace-member" and "read:installation"  deprecated-scope',
    'error  scope "read:pullrequest" is not in the scope catalogue  unknown-scope',
    '4 problems (2 errors, 2 warnings)',
  ])
  assert.equal(result.code, 1)
})

test('DIR defaults to the current directory', async () => {
  const dir = copyOf('js-app')
  const result = await runCli(['lint'], beforeTheDay, undefined, dir)
  assert.equal(result.stdout.trimEnd().split('\n')[0], JS_APP_PROBLEMS[0])
  assert.equal(result.code, 1)
})

test('--json: one document with the same problems as objects, and the same exit code', async () => {
  const result = await lint([copyOf('js-app'), '--json'])
  assert.equal(result.code, 1)
  const report = JSON.parse(result.stdout) as { problems: Record<string, unknown>[]; changes: unknown[] }
  assert.deepEqual(Object.keys(report), ['problems', 'changes'])
  assert.deepEqual(report.changes, [])
  assert.equal(report.problems.length, JS_APP_PROBLEMS.length)
  assert.deepEqual(report.problems[1], {
    severity: 'error',
    rule: 'permission-scope-required',
    message: 'GET /2.0/repositories/{workspace}/{repo_slug}/issues/{issue_id}/comments requires "read:issue-comment" scope',
    file: 'static/panel/panel.js',
    line: 5,
    column: 10,
    method: 'GET',
    path: '/2.0/repositories/{workspace}/{repo_slug}/issues/{issue_id}/comments',
    operationId: 'listIssueComments',
    scopes: ['read:issue-comment'],
  })
  assert.deepEqual(report.problems[5], { severity: 'warning', rule: 'unused-scope', message: 'scope "write:issue" is not used by any call', scopes: ['write:issue'] })
})

test('--fix replaces classic scopes and adds missing ones in place, keeping every other byte; a second --fix changes nothing', async () => {
  const dir = copyOf('js-app')
  const original = readFileSync(join(dir, 'manifest.yml'), 'utf8')
  const first = await lint([dir, '--fix'])
  assert.deepEqual(first.lines, [
    'fixed  replaced "account" by "read:user"',
    'fixed  added "read:issue-comment"',
    'fixed  added "write:issue-comment"',
    JS_APP_PROBLEMS[0],
    JS_APP_PROBLEMS[3],
    JS_APP_PROBLEMS[5],
    '3 problems (0 errors, 3 warnings)',
  ])
  assert.equal(first.code, 0)
  const fixed = readFileSync(join(dir, 'manifest.yml'), 'utf8')
  assert.equal(fixed, original.replace(
    '    - account            # to greet the user by name\n',
    '    - read:user          # to greet the user by name\n',
  ).replace(
    '    - write:issue\n',
    '    - write:issue\n    - read:issue-comment\n    - write:issue-comment\n',
  ))

  const second = await lint([dir, '--fix'])
  assert.deepEqual(second.lines, [JS_APP_PROBLEMS[0], JS_APP_PROBLEMS[3], JS_APP_PROBLEMS[5], '3 problems (0 errors, 3 warnings)'])
  assert.equal(readFileSync(join(dir, 'manifest.yml'), 'utf8'), fixed)
})

test('--fix on a flow-style manifest rewrites the list in place', async () => {
  const dir = copyOf('ts-app')
  const result = await lint([dir, '--fix', '--json'])
  assert.equal(result.code, 1, 'the unknown scope is left for the vendor')
  assert.deepEqual(JSON.parse(result.stdout).changes, [
    { change: 'replaced', scope: 'workspace', by: ['read:workspace', 'read:workspace-member', 'read:installation'] },
    { change: 'added', scope: 'read:issue' },
  ])
  assert.match(readFileSync(join(dir, 'manifest.yml'), 'utf8'), /\n {2}scopes: \[read:user, read:workspace, read:workspace-member, read:installation, read:repository, write:issue, read:pullrequest, read:issue\]\n$/)
})

test('--prune removes nothing while calls could not be read, and says why', async () => {
  const dir = copyOf('js-app')
  const result = await lint([dir, '--prune'])
  assert.deepEqual(result.lines.slice(-3), [
    JS_APP_PROBLEMS[5],
    'warning  no scope was pruned: pruning is unsafe while 2 calls could not be read  prune-unsafe',
    '4 problems (0 errors, 4 warnings)',
  ])
  assert.match(readFileSync(join(dir, 'manifest.yml'), 'utf8'), /\n {4}- write:issue\n/)
})

test('--prune removes unused scopes once every call can be read', async () => {
  const dir = copyOf('js-app')
  rmSync(join(dir, 'static'), { recursive: true })
  writeFileSync(join(dir, 'src/index.js'), readFileSync(join(dir, 'src/index.js'), 'utf8').replace(/\/\*\* Follows[\s\S]*$/, ''))
  const result = await lint([dir, '--prune'])
  assert.deepEqual(result.lines, [
    'fixed  replaced "account" by "read:user"',
    'fixed  removed "write:issue", which no call uses',
    'No problems found',
  ])
  assert.equal(result.code, 0)
  assert.doesNotMatch(readFileSync(join(dir, 'manifest.yml'), 'utf8'), /write:issue/)
})

test('past its deprecation day a classic scope no longer satisfies a call: an error, which --fix resolves', async () => {
  const dir = copyOf('js-app')
  const result = await lint([dir], afterTheDay)
  assert.equal(result.lines[0], 'src/index.js:9:20  error  GET /2.0/user requires "read:user" scope  permission-scope-required')
  assert.ok(result.lines.includes('warning  scope "account" is not used by any call  unused-scope'))
  assert.equal(result.code, 1)
})

test('sources in node_modules, build output, hidden folders and declaration files are not scanned; an unparsable file is a warning', async () => {
  const dir = mkdtempSync(join(work, 'layout-'))
  writeFileSync(join(dir, 'manifest.yaml'), 'permissions:\n  scopes:\n    - read:user\n')
  for (const skipped of ['node_modules/lib', 'dist', 'build', 'coverage', '.cache']) {
    mkdirSync(join(dir, skipped), { recursive: true })
    writeFileSync(join(dir, skipped, 'call.js'), "fetch('/2.0/workspaces')\n")
  }
  writeFileSync(join(dir, 'types.d.ts'), "declare function f(): void\n")
  writeFileSync(join(dir, 'main.mjs'), "await fetch('/2.0/user')\n")
  writeFileSync(join(dir, 'broken.js'), "fetch('/2.0/user'\nconst x = 1\n")
  const result = await lint([dir])
  assert.deepEqual(result.lines, ["broken.js:2:1  warning  could not parse: ',' expected.  parse-error", '1 problem (0 errors, 1 warning)'])
  assert.equal(result.code, 0)
})

test('a missing manifest, invalid YAML or scopes that are not a list: one line on stderr, exit 1, no stack', async () => {
  const dir = mkdtempSync(join(work, 'bad-'))
  const missing = await lint([dir])
  assert.deepEqual([missing.code, missing.stdout, missing.stderr], [1, '', `gatehouse: no manifest.yml in ${dir} (lint reads the app's scopes from its permissions.scopes)\n`])
  writeFileSync(join(dir, 'manifest.yml'), 'permissions:\n  scopes: [read:user\n')
  const invalid = await lint([dir])
  assert.equal(invalid.code, 1)
  assert.equal(invalid.stderr, `gatehouse: ${join(dir, 'manifest.yml')} is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1\n`)
  writeFileSync(join(dir, 'manifest.yml'), 'permissions:\n  scopes: read:user\n')
  const notAList = await lint([dir, '--json'])
  assert.equal(notAList.code, 1)
  assert.deepEqual(JSON.parse(notAList.stdout), { error: { code: 'ERR_BAD_REQUEST', message: `${join(dir, 'manifest.yml')}: permissions.scopes must be a list of scope names` } })
  const noDirectory = await lint([join(dir, 'nowhere')])
  assert.equal(noDirectory.stderr, `gatehouse: ${join(dir, 'nowhere')} is not a directory\n`)
})

test('--fix creates permissions.scopes in a manifest that has none', async () => {
  const dir = mkdtempSync(join(work, 'new-'))
  writeFileSync(join(dir, 'manifest.yml'), '# A new app\napp:\n  id: ari:cloud:ecosystem::app/new\n')
  writeFileSync(join(dir, 'index.ts'), "export const me = () => fetch('/2.0/user')\n")
  const result = await lint([dir, '--fix'])
  assert.deepEqual(result.lines, ['fixed  added "read:user"', 'No problems found'])
  assert.equal(readFileSync(join(dir, 'manifest.yml'), 'utf8'), '# A new app\napp:\n  id: ari:cloud:ecosystem::app/new\npermissions:\n  scopes:\n    - read:user\n')
})
