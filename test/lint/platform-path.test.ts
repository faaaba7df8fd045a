import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { ApiOperation } from '../../src/gateway/api-description.js'
import { matchOperation } from '../../src/lint/path-matcher.js'
import { platformPath, showSegments, type PlatformPath } from '../../src/lint/platform-path.js'
import type { UrlPart } from '../../src/lint/static-values.js'

/** `'/2.0/repositories/${ws}'` → parts, `${x}` standing for a run-time value `x`. */
function parts(url: string): UrlPart[] {
  return url.split(/(\$\{[^}]*\})/).filter(Boolean).map((piece) => (piece.startsWith('${') ? { expression: piece.slice(2, -1) } : { text: piece }))
}

function shown(path: PlatformPath): string {
  if (path.kind === 'path') return showSegments(path.segments)
  return path.kind === 'unreadable' ? `unreadable: ${path.reason}` : 'outside'
}

test('only URLs with the /2.0 base path are platform calls; origin, query and fragment are left out', () => {
  assert.equal(shown(platformPath(parts('/2.0/user'))), '/2.0/user')
  assert.equal(shown(platformPath(parts('https://api.example.test/2.0/user?fields=name#top'))), '/2.0/user')
  assert.equal(shown(platformPath(parts('${BASE}/2.0/repositories/${ws}/'))), '/2.0/repositories/${ws}')
  assert.equal(shown(platformPath(parts('/2.0'))), '/2.0')
  assert.equal(shown(platformPath(parts('/2.0?x=${y}/z'))), '/2.0')
  for (const url of ['/api/user', 'https://example.test/v2.0/user', '/12.0/user', '/2.01/user', '${BASE}/user', 'https://cdn.test/2.0.js']) {
    assert.equal(shown(platformPath(parts(url))), 'outside', url)
  }
})

test('a run-time value filling a segment is one placeholder; one inside a segment too', () => {
  const path = platformPath(parts('/2.0/repositories/${ws}/${slug}/issues/issue-${id}'))
  assert.ok(path.kind === 'path')
  assert.deepEqual(path.segments, [{ literal: 'repositories' }, { runtime: '${ws}' }, { runtime: '${slug}' }, { literal: 'issues' }, { runtime: 'issue-${id}' }])
})

test('where what follows /2.0 is built at run time, the path is unreadable, not guessed', () => {
  assert.equal(shown(platformPath(parts('/2.0/${path}'))), 'unreadable: /2.0/${path} is built at run time')
  assert.equal(shown(platformPath(parts('/2.0${path}'))), 'unreadable: /2.0${path} is built at run time')
  assert.equal(shown(platformPath(parts('${origin}/2.0/${kind}s/${id}'))), 'unreadable: /2.0/${kind}s/${id} is built at run time')
})

const operation = (method: string, path: string): ApiOperation => ({ method, path, operationId: `${method} ${path}`, summary: undefined, requirements: [[]] })
const operations = [
  operation('GET', '/user'),
  operation('GET', '/repositories/{workspace}'),
  operation('GET', '/repositories/{workspace}/{repo_slug}'),
  operation('POST', '/repositories/{workspace}/{repo_slug}'),
  operation('GET', '/repositories/{workspace}/{repo_slug}/issues/{issue_id}'),
  operation('GET', '/repositories/{workspace}/{repo_slug}/issues/mine'),
  operation('GET', '/snippets/{name}.json'),
]

function match(method: string, url: string): string | undefined {
  const path = platformPath(parts(url))
  assert.ok(path.kind === 'path', url)
  return matchOperation(method, path.segments, operations)?.operationId
}

test('a path matches the template with the same method and segments; a {param} takes a literal or a placeholder', () => {
  assert.equal(match('GET', '/2.0/user'), 'GET /user')
  assert.equal(match('GET', '/2.0/repositories/acme/widgets'), 'GET /repositories/{workspace}/{repo_slug}')
  assert.equal(match('POST', '/2.0/repositories/${ws}/${slug}'), 'POST /repositories/{workspace}/{repo_slug}')
  assert.equal(match('HEAD', '/2.0/repositories/${ws}'), 'GET /repositories/{workspace}', 'HEAD is answered by GET')
  assert.equal(match('GET', '/2.0/snippets/notes.json'), 'GET /snippets/{name}.json')
  assert.equal(match('GET', '/2.0/snippets/${name}'), 'GET /snippets/{name}.json')
})

test('the template with the most literal segments wins; a placeholder never matches a literal segment', () => {
  assert.equal(match('GET', '/2.0/repositories/${ws}/${slug}/issues/mine'), 'GET /repositories/{workspace}/{repo_slug}/issues/mine')
  assert.equal(match('GET', '/2.0/repositories/${ws}/${slug}/issues/42'), 'GET /repositories/{workspace}/{repo_slug}/issues/{issue_id}')
  assert.equal(match('GET', '/2.0/users'), undefined)
  assert.equal(match('DELETE', '/2.0/user'), undefined)
  assert.equal(match('GET', '/2.0/repositories/a/b/c'), undefined)
  assert.equal(match('GET', '/2.0/snippets/notes.yml'), undefined)
})
