import assert from 'node:assert/strict'
import { before, test } from 'node:test'
import { testConfig } from '../../src/config.js'
import { loadApiDescription } from '../../src/gateway/api-description.js'
import { scanSource, type ApiCall } from '../../src/lint/call-scanner.js'
import { planFix } from '../../src/lint/fix-plan.js'
import { problemLine } from '../../src/lint/report.js'
import { lintApp, type PlatformFacts, type Problem, type UnreadableFile } from '../../src/lint/rules.js'
import { sampleApi } from '../../src/platform/openapi.js'

let platform: PlatformFacts
before(async () => {
  const { scopes, operations } = await loadApiDescription(testConfig(), sampleApi)
  platform = { scopes, operations }
})

/** The sample catalogue's classic scopes are deprecated on 2027-06-07. */
const BEFORE_THE_DAY = Date.parse('2027-01-15T12:00:00Z')
const AFTER_THE_DAY = Date.parse('2027-06-07T00:00:00Z')

function callsIn(source: string, file = 'src/app.js'): ApiCall[] {
  const scan = scanSource(file, source)
  assert.ok(scan.ok)
  return scan.calls
}

function lint(scopes: string[], source: string, now = BEFORE_THE_DAY, unreadable: UnreadableFile[] = []): string[] {
  return lintApp({ scopes, calls: callsIn(source), unreadable }, platform, now).map(problemLine)
}

test('a call whose granular scope the manifest lists: no problem, and the scope counts as used', () => {
  assert.deepEqual(lint(['read:user', 'read:repository'], "fetch('/2.0/user'); fetch(`/2.0/repositories/${ws}/${slug}`)"), [])
})

test('a call the manifest allows by no requirement is an error naming the scopes it lacks of the closest granular requirement', () => {
  assert.deepEqual(lint([], "fetch(`/2.0/repositories/${ws}/${slug}`)"), [
    'src/app.js:1:1  error  GET /2.0/repositories/{workspace}/{repo_slug} requires "read:repository" scope  permission-scope-required',
  ])
  assert.deepEqual(lint([], 'fetch(`/2.0/repositories/${w}/${r}/issues/${i}/comments`)'), [
    'src/app.js:1:1  error  GET /2.0/repositories/{workspace}/{repo_slug}/issues/{issue_id}/comments requires "read:issue" and "read:issue-comment" scopes  permission-scope-required',
  ], 'granular, although the classic "issue" alone would be fewer scopes')
  assert.deepEqual(lint(['read:issue'], 'fetch(`/2.0/repositories/${w}/${r}/issues/${i}/comments`)'), [
    'src/app.js:1:1  error  GET /2.0/repositories/{workspace}/{repo_slug}/issues/{issue_id}/comments requires "read:issue-comment" scope  permission-scope-required',
    'warning  scope "read:issue" is not used by any call  unused-scope',
  ], 'a scope of a requirement not met in full is not used')
})

test('the error carries the operation and the scopes to add, for --json and --fix', () => {
  const [problem] = lintApp({ scopes: [], calls: callsIn("AP.request({ url: '/2.0/user', type: 'GET' })"), unreadable: [] }, platform, BEFORE_THE_DAY)
  assert.deepEqual(problem, {
    severity: 'error', rule: 'permission-scope-required', message: 'GET /2.0/user requires "read:user" scope',
    file: 'src/app.js', line: 1, column: 1, method: 'GET', path: '/2.0/user', operationId: 'getCurrentUser', scopes: ['read:user'],
  } satisfies Problem)
})

test('a classic scope is reported deprecated with all its replacements; before its day it still satisfies the call', () => {
  assert.deepEqual(lint(['issue'], 'fetch(`/2.0/repositories/${w}/${r}/issues`)'), [
    'warning  scope "issue" is deprecated; use "read:issue" and "read:issue-comment"  deprecated-scope',
  ])
})

test('past its deprecation day a classic scope satisfies nothing: the call is an error and the scope unused', () => {
  assert.deepEqual(lint(['issue'], 'fetch(`/2.0/repositories/${w}/${r}/issues`)', AFTER_THE_DAY), [
    'src/app.js:1:1  error  GET /2.0/repositories/{workspace}/{repo_slug}/issues requires "read:issue" scope  permission-scope-required',
    'warning  scope "issue" is deprecated; use "read:issue" and "read:issue-comment"  deprecated-scope',
    'warning  scope "issue" is not used by any call  unused-scope',
  ])
})

test('with both, the granular scope is the one used, so the classic one is unused', () => {
  assert.deepEqual(lint(['repository', 'read:repository'], 'fetch(`/2.0/repositories/${ws}`)'), [
    'warning  scope "repository" is deprecated; use "read:repository"  deprecated-scope',
    'warning  scope "repository" is not used by any call  unused-scope',
  ])
})

test('a scope the catalogue lacks is an error; one no call uses a warning; each reported once, in manifest order', () => {
  assert.deepEqual(lint(['write:issue', 'read:pullrequest', 'read:user', 'write:issue'], "fetch('/2.0/user')"), [
    'warning  scope "write:issue" is not used by any call  unused-scope',
    'error  scope "read:pullrequest" is not in the scope catalogue  unknown-scope',
  ])
})

test('a platform path no operation has is a warning; a public operation and calls elsewhere need nothing', () => {
  assert.deepEqual(lint([], "fetch('/2.0/user/emails'); axios.delete('/2.0/user'); fetch('/2.0/openapi.json'); fetch('https://hooks.example.test/notify', { method: 'POST' })"), [
    'src/app.js:1:1  warning  GET /2.0/user/emails matches no operation of the API  unknown-endpoint',
    'src/app.js:1:28  warning  DELETE /2.0/user matches no operation of the API  unknown-endpoint',
  ])
})

test('calls that cannot be read are unresolved warnings saying what could not be read', () => {
  assert.deepEqual(lint(['read:user'], [
    'export function get(url, init, path, ws, rest) {',
    '  fetch(url)',
    "  fetch('/2.0/user', init)",
    '  AP.request(`/2.0/${path}`)',
    '  axios.get(`/2.0/workspaces/${ws}/${rest}`)',
    '}',
  ].join('\n')), [
    'src/app.js:2:3  warning  the path of this fetch call could not be read: url is not a constant in this file  unresolved-call',
    'src/app.js:3:3  warning  the method of this fetch call to /2.0/user could not be read: init is not a constant in this file  unresolved-call',
    'src/app.js:4:3  warning  the path of this AP.request call could not be read: /2.0/${path} is built at run time  unresolved-call',
    'src/app.js:5:3  warning  the path of this axios.get call could not be read: GET /2.0/workspaces/${ws}/${rest} matches no operation of the API, unless a value built at run time stands for several segments  unresolved-call',
    'warning  scope "read:user" is not used by any call  unused-scope',
  ])
})

test('a file that could not be parsed is a warning at its place, with call problems in file and line order', () => {
  const problems = lint([], "fetch('/2.0/user')", BEFORE_THE_DAY, [{ file: 'lib/broken.js', reason: "')' expected.", line: 3, column: 7 }])
  assert.deepEqual(problems, [
    "lib/broken.js:3:7  warning  could not parse: ')' expected.  parse-error",
    'src/app.js:1:1  error  GET /2.0/user requires "read:user" scope  permission-scope-required',
  ])
})

const SOURCE = [
  "fetch('/2.0/user')",
  'fetch(`/2.0/repositories/${w}/${r}/issues/${i}/comments`)',
  "axios.post(`/2.0/repositories/${w}/${r}/issues`, { title: 'x' })",
].join('\n')

function plan(scopes: string[], source: string, prune: boolean, now = BEFORE_THE_DAY) {
  const calls = callsIn(source)
  return planFix(scopes, platform.scopes, (listed) => lintApp({ scopes: listed, calls, unreadable: [] }, platform, now), prune)
}

test('fix: each classic scope becomes its replacements where it stood (skipping those listed), then missing scopes are added', () => {
  const fix = plan(['account', 'read:issue', 'issue', 'write:issue'], SOURCE, false)
  assert.deepEqual(fix.edit, { entries: [['read:user'], ['read:issue'], ['read:issue-comment'], ['write:issue']], appended: [] })
  assert.deepEqual(fix.changes, [
    { change: 'replaced', scope: 'account', by: ['read:user'] },
    { change: 'replaced', scope: 'issue', by: ['read:issue-comment'] },
  ])
  const adding = plan(['read:repository'], SOURCE, false)
  assert.deepEqual(adding.edit, { entries: [['read:repository']], appended: ['read:user', 'read:issue', 'read:issue-comment', 'write:issue'] })
  assert.deepEqual(adding.changes.map((c) => c.change), ['added', 'added', 'added', 'added'])
})

test('fix: a classic scope whose replacements are all listed is removed, saying why', () => {
  assert.deepEqual(plan(['read:user', 'account'], "fetch('/2.0/user')", false).changes, [{ change: 'removed', scope: 'account', reason: 'replacements-listed' }])
})

test('fix on a manifest that needs nothing changes nothing', () => {
  const fix = plan(['read:user', 'read:issue', 'read:issue-comment', 'write:issue'], SOURCE, false)
  assert.deepEqual(fix.changes, [])
  assert.equal(fix.pruneRefusal, undefined)
})

test('prune removes the scopes no call uses, including replacements nothing needs', () => {
  const fix = plan(['workspace', 'read:user', 'write:repository'], "fetch('/2.0/user'); fetch(`/2.0/workspaces/${ws}/members`)", true)
  assert.deepEqual(fix.edit, { entries: [['read:workspace', 'read:workspace-member'], ['read:user'], []], appended: [] })
  assert.deepEqual(fix.changes, [
    { change: 'replaced', scope: 'workspace', by: ['read:workspace', 'read:workspace-member'] },
    { change: 'removed', scope: 'write:repository', reason: 'unused' },
  ])
})

test('prune removes nothing while a call or a file could not be read, since it might need any scope', () => {
  const fix = plan(['read:user', 'write:repository'], "fetch('/2.0/user'); export const load = (url) => fetch(url)", true)
  assert.deepEqual(fix.edit.entries, [['read:user'], ['write:repository']])
  assert.deepEqual(fix.changes, [])
  assert.equal(fix.pruneRefusal?.message, 'no scope was pruned: pruning is unsafe while 1 call could not be read')
  assert.equal(fix.pruneRefusal?.rule, 'prune-unsafe')
})
