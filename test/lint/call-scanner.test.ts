import assert from 'node:assert/strict'
import { test } from 'node:test'
import { findCalls, isScannable, parseSource, scanSource, type ApiCall, type ParsedSource } from '../../src/lint/call-scanner.js'
import { importedInstances } from '../../src/lint/module-links.js'
import { showUrl } from '../../src/lint/platform-path.js'

/** Each call as `callee METHOD url` (`?` for what could not be read), to compare whole files at a glance. */
function calls(source: string, file = 'app.ts'): string[] {
  const scan = scanSource(file, source)
  assert.ok(scan.ok, scan.ok ? '' : scan.reason)
  return scan.calls.map(describe)
}

function describe(call: ApiCall): string {
  const method = call.method.ok ? call.method.value : `?(${call.method.reason})`
  const url = call.url.ok ? showUrl(call.url.value) : `?(${call.url.reason})`
  return `${call.callee} ${method} ${url}`
}

test('fetch, window.fetch and globalThis.fetch: the method from init.method, GET without one', () => {
  assert.deepEqual(calls(`
    fetch('/2.0/user')
    window.fetch('/2.0/user', { method: 'post', headers: {} })
    globalThis.fetch(\`/2.0/workspaces\`, { headers: {} })
  `), ['fetch GET /2.0/user', 'window.fetch POST /2.0/user', 'globalThis.fetch GET /2.0/workspaces'])
})

test('AP.request takes { url, type } or (url, { type }); GET by default', () => {
  assert.deepEqual(calls(`
    AP.request({ url: '/2.0/user', success() {} })
    AP.request({ url: '/2.0/user', type: 'PUT' })
    AP.request('/2.0/user', { type: 'DELETE' })
  `), ['AP.request GET /2.0/user', 'AP.request PUT /2.0/user', 'AP.request DELETE /2.0/user'])
})

test('axios: the function, request(config), the method helpers, and instances from axios.create with their baseURL', () => {
  assert.deepEqual(calls(`
    import http from 'axios'
    const api = http.create({ baseURL: 'https://api.example.test/2.0/' })
    http('/2.0/a')
    http({ url: '/2.0/b', method: 'patch' })
    http.request({ url: '/2.0/c' })
    http.get('/2.0/d')
    http.delete('/2.0/e', { headers: {} })
    http.post('/2.0/f', { title: 'x' }, { method: 'GET' })
    api.put('/g', {})
    api.head('https://elsewhere.test/2.0/h')
  `), [
    'http GET /2.0/a', 'http PATCH /2.0/b', 'http.request GET /2.0/c', 'http.get GET /2.0/d', 'http.delete DELETE /2.0/e',
    'http.post POST /2.0/f', 'api.put PUT https://api.example.test/2.0/g', 'api.head HEAD https://elsewhere.test/2.0/h',
  ])
})

test('require("axios") counts too; a call on any other object named like an HTTP verb does not', () => {
  assert.deepEqual(calls(`
    const client = require('axios')
    client.get('/2.0/user')
    map.get('/2.0/user')
    cache.delete('/2.0/user')
    this.fetch('/2.0/user')
    router.post('/2.0/user', handler)
  `, 'app.cjs'), ['client.get GET /2.0/user'])
})

test('templates keep run-time values as parts; constants of the same file are read through, concatenation like a template', () => {
  assert.deepEqual(calls(`
    const ORIGIN = 'https://api.example.test'
    const API = \`\${ORIGIN}/2.0\`
    const METHOD = 'DELETE'
    const OPTIONS = { method: METHOD }
    fetch(\`\${API}/repositories/\${ws}/\${slug}\`, OPTIONS)
    fetch('/2.0/repositories/' + ws + '/' + slug)
    fetch(\`\${base}/2.0/user?fields=\${fields}\`)
  `), [
    'fetch DELETE https://api.example.test/2.0/repositories/${ws}/${slug}',
    'fetch GET /2.0/repositories/${ws}/${slug}',
    'fetch GET ${base}/2.0/user?fields=${fields}',
  ])
})

test('what is built at run time is said so, never guessed: a parameter URL, options from a variable, a spread, a method variable', () => {
  assert.deepEqual(calls(`
    function load(url, init, verb) {
      fetch(url)
      fetch('/2.0/user', init)
      fetch('/2.0/user', { ...defaults })
      fetch('/2.0/user', { ...defaults, method: 'GET' })
      AP.request({ url: '/2.0/user', type: verb })
      fetch(nextPage())
    }
  `), [
    'fetch GET ?(url is not a constant in this file)',
    'fetch ?(init is not a constant in this file) /2.0/user',
    'fetch ?(its "method" may come from a spread (...) built at run time) /2.0/user',
    'fetch GET /2.0/user',
    'AP.request ?(verb is not a constant in this file) /2.0/user',
    'fetch GET ?(nextPage() is built at run time)',
  ])
})

test('a name declared twice in the file (two consts, a parameter, a loop variable) is not read through: which one applies is not known here', () => {
  assert.deepEqual(calls(`
    function a() { const path = '/2.0/user'; return fetch(path) }
    function b() { const path = '/2.0/workspaces'; return fetch(path) }
    const url = '/2.0/user'
    export const get = (url) => fetch(url)
    const next = '/2.0/user'
    for (const next of pages) fetch(next)
    const { href } = location; const href2 = href; fetch(href2)
  `), [
    'fetch GET ?(path is not a constant in this file)',
    'fetch GET ?(path is not a constant in this file)',
    'fetch GET ?(url is not a constant in this file)',
    'fetch GET ?(next is not a constant in this file)',
    'fetch GET ?(href2 is not a constant in this file)',
  ])
})

test('TypeScript and TSX syntax (generics, as, satisfies, JSX) parse, and places are 1-based line and column of the call', () => {
  const scan = scanSource('Board.tsx', [
    "const URL_ = '/2.0/user' as const",
    'export function Board() {',
    '  const go = () => http.get<Page>(URL_ satisfies string)',
    "  return <button onClick={() => fetch(URL_!)}>Go</button>",
    '}',
    "import http from 'axios'",
  ].join('\n'))
  assert.ok(scan.ok)
  assert.deepEqual(scan.calls.map((c) => [describe(c), c.line, c.column]), [['http.get GET /2.0/user', 3, 20], ['fetch GET /2.0/user', 4, 33]])
})

test('a file the parser cannot read is reported with the first syntax error and its place', () => {
  const scan = scanSource('broken.js', "fetch('/2.0/user'\nconst x = 1")
  assert.equal(scan.ok, false)
  assert.ok(!scan.ok)
  assert.equal(scan.reason, "',' expected.")
  assert.deepEqual([scan.line, scan.column], [2, 1])
})

test('JavaScript and TypeScript files are scanned, declaration files and others are not', () => {
  for (const name of ['a.js', 'a.mjs', 'a.cjs', 'a.jsx', 'a.ts', 'a.tsx', 'a.mts', 'a.cts']) assert.equal(isScannable(name), true, name)
  for (const name of ['a.d.ts', 'a.d.mts', 'a.json', 'a.yml', 'a.css', 'README']) assert.equal(isScannable(name), false, name)
})

test('an axios instance exported by one file is followed into the files importing it, with its baseURL', () => {
  const files: Record<string, string> = {
    'src/client.ts': "import axios from 'axios'\nconst BASE = 'https://api.example.test/2.0'\nexport const api = axios.create({ baseURL: BASE })\nexport default axios.create({ baseURL: '/2.0/repositories' })",
    'src/reexport.js': "import axios from 'axios'\nconst http = axios.create()\nexport { http as client }",
    'src/app.js': [
      "import { api } from './client.js'",
      "import repositories from './client'",
      "import { client } from './reexport.js'",
      "import { api as unrelated } from 'some-package'",
      "api.get('/user')",
      'repositories.get(`/${ws}`)',
      "client.post('/2.0/apps', {})",
      "unrelated.get('/2.0/user')",
    ].join('\n'),
  }
  const sources = Object.entries(files).map(([file, text]) => {
    const parsed = parseSource(file, text)
    assert.ok(parsed.ok)
    return parsed.source
  })
  const linked = importedInstances(sources)
  const app = sources.find((source) => source.file === 'src/app.js') as ParsedSource
  assert.deepEqual(findCalls(app, linked.get(app.file)).map(describe), [
    'api.get GET https://api.example.test/2.0/user',
    'repositories.get GET /2.0/repositories/${ws}',
    'client.post POST /2.0/apps',
  ])
  assert.deepEqual(findCalls(app).map(describe), [], 'without the links, the file alone shows no call')
})
