import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import type { ApiDescription } from '../../src/gateway/api-description.js'
import { describeApi } from '../../src/gateway/api-description.js'
import { scopeReference } from '../../src/scopes/reference-model.js'
import { referenceContent } from '../../src/scopes/reference.page.js'
import type { TestApp } from '../support/app.js'
import { startTestApp } from '../support/app.js'
import { TestClock } from '../oauth/fixtures.js'
import { acme } from '../platform/fixtures.js'

// GET /docs/scopes: every operation with its requirements, every scope with what accepts it, the rules on top.
let t: TestApp
let page: string
let api: ApiDescription

before(async () => {
  t = await startTestApp()
  api = t.app.apiDescription
  const response = await t.app.inject({ method: 'GET', url: '/docs/scopes' })
  assert.equal(response.statusCode, 200)
  // Paths may break after each "/" (<wbr>); the words are what is checked here, the layout in the browser test.
  page = response.body.replace(/<wbr>/g, '')
})

after(() => t.close())

/** The page's element with this id, up to the end of its row or list item. */
function elementWithId(body: string, id: string, closing: string): string {
  const start = body.indexOf(` id="${id}"`)
  assert.notEqual(start, -1, `no element with id ${id}`)
  return body.slice(start, body.indexOf(closing, start))
}

function scopeLink(name: string): string {
  return `<a href="#scope-${name}"><code>${name}</code></a>`
}

function classicMark(day: string): string {
  return `<span class="cell-detail">classic, deprecated on <code><time datetime="${day}">${day}</time></code></span>`
}

test('public, signed out: an HTML page with the page headers (CSP), no sign-in asked', async () => {
  const response = await t.app.inject({ method: 'GET', url: '/docs/scopes' })
  assert.equal(response.statusCode, 200)
  assert.match(response.headers['content-type'] as string, /^text\/html/)
  assert.match(response.headers['content-security-policy'] as string, /script-src 'self'/)
  assert.match(page, /<h1 id="title">Scope reference<\/h1>/)
  assert.doesNotMatch(page, /<script(?! src="\/assets\/gatehouse.js" defer>)/, 'no script of its own: the page works without JavaScript')
})

test('the rules come first: every scope of one requirement, some is not enough (403 insufficient_scope naming the scopes to add)', () => {
  const rules = page.slice(page.indexOf('<h2 id="rules">'), page.indexOf('<h2 id="operations">'))
  assert.ok(page.indexOf('<h2 id="rules">') < page.indexOf('<h2 id="operations">'))
  assert.match(rules, /A token may call it when it holds every scope of at least one of them/)
  assert.match(rules, /Holding only some scopes of a requirement is not enough/)
  assert.match(rules, /<code>WWW-Authenticate: Bearer error=&quot;insufficient_scope&quot;, scope=&quot;…&quot;<\/code>, which names the scopes of the requirement to meet/)
  assert.match(rules, /For example, <code>GET \/2.0\/workspaces\/\{workspace\}\/members<\/code> needs <code>read:workspace<\/code> and <code>read:workspace-member<\/code>\. A token holding only <code>read:workspace<\/code> is refused \(<code>403 insufficient_scope<\/code>\) until it also holds <code>read:workspace-member<\/code>/)
})

test("the rules' example is what the gate does: one scope of two is refused, naming a requirement to meet; both pass", async () => {
  const { ada } = await acme(t.app)
  const one = await t.app.inject({ method: 'GET', url: '/2.0/workspaces/acme/members', headers: await ada.auth('read:workspace') })
  assert.equal(one.statusCode, 403)
  const named = /^Bearer error="insufficient_scope", scope="([^"]*)"$/.exec(one.headers['www-authenticate'] as string)?.[1]
  const requirements = api.operations.find((o) => o.operationId === 'listWorkspaceMembers')!.requirements!
  assert.ok(requirements.some((r) => [...r].sort().join(' ') === named), `the header names a requirement: ${named}`)
  const both = await t.app.inject({ method: 'GET', url: '/2.0/workspaces/acme/members', headers: await ada.auth('read:workspace read:workspace-member') })
  assert.equal(both.statusCode, 200)
})

test('every operation of the API has a row: method, path under /2.0, summary, grouped under its tag', () => {
  assert.ok(api.operations.length > 10)
  for (const operation of api.operations) {
    const row = elementWithId(page, `operation-${operation.operationId}`, '</tr>')
    assert.ok(row.includes(`<code><strong>${operation.method}</strong> /2.0${operation.path}</code>`), operation.operationId)
    if (operation.summary) assert.ok(row.includes(`<span class="cell-detail">${operation.summary.replace(/'/g, '&#39;')}</span>`), operation.operationId)
  }
  const issues = page.slice(page.indexOf('<h3 id="operations-issues">'), page.indexOf('<h3 id="operations-apps">'))
  assert.match(issues, /id="operation-listIssueComments"/)
  assert.doesNotMatch(issues, /id="operation-getRepository"/)
})

test('requirements read "a and b", alternatives "or", classic ones marked with their deprecation day', () => {
  const comments = elementWithId(page, 'operation-listIssueComments', '</tr>')
  assert.ok(comments.includes(`<li>${scopeLink('read:issue')} <strong>and</strong> ${scopeLink('read:issue-comment')}</li>`), comments)
  assert.ok(comments.includes(`<li><span class="hint">or</span> ${scopeLink('issue')}${classicMark('2027-06-07')}</li>`), comments)
  // Granular first, as the gate tries them.
  assert.ok(comments.indexOf('read:issue-comment') < comments.indexOf('>issue<'))
  const user = elementWithId(page, 'operation-getCurrentUser', '</tr>')
  assert.ok(user.includes(`<li>${scopeLink('read:user')}</li>`))
  assert.ok(user.includes(`<li><span class="hint">or</span> ${scopeLink('account')}${classicMark('2027-06-07')}</li>`))
})

test('a public operation says no scopes (and no token) are needed', () => {
  const openapi = elementWithId(page, 'operation-getOpenApiDocument', '</tr>')
  assert.match(openapi, /<td>No scopes required <span class="hint">\(no token\)<\/span><\/td>/)
})

test('every scope of the catalogue has its anchor, granular ones before classic ones, with its description', () => {
  let last = -1
  for (const scope of api.scopes) {
    const at = page.indexOf(`<li class="panel" id="scope-${scope.name}">`)
    assert.ok(at > last, `scope-${scope.name} is present and in catalogue order`)
    last = at
    const entry = elementWithId(page, `scope-${scope.name}`, '</li>\n<li')
    assert.ok(entry.includes(`<h3><code><strong>${scope.name}</strong></code></h3>`), scope.name)
    assert.ok(entry.includes(`<p>${scope.description}</p>`), scope.name)
  }
  assert.ok(page.indexOf('<h2 id="granular-scopes">') < page.indexOf('id="scope-read:user"'))
  assert.ok(page.indexOf('id="scope-app:write"') > page.indexOf('<h2 id="classic-scopes">'))
  assert.ok(page.indexOf('<h2 id="classic-scopes">') > page.indexOf('id="scope-read:app-delivery"'))
})

test('each scope lists exactly the operations that accept it, with what the same requirement also needs', () => {
  for (const scope of api.scopes) {
    const expected = api.operations.filter((o) => o.requirements?.some((r) => r.includes(scope.name))).map((o) => o.operationId)
    const entry = page.slice(page.indexOf(`<li class="panel" id="scope-${scope.name}">`))
    const listed = entry.slice(0, entry.indexOf('</ul>'))
    const found = [...listed.matchAll(/<li><a href="#operation-([^"]+)">/g)].map((m) => m[1])
    assert.deepEqual(found.sort(), expected.sort(), scope.name)
  }
  const readIssue = elementWithId(page, 'scope-read:issue', '</li>\n</ul>')
  assert.match(readIssue, /<a href="#operation-listIssueComments">.*<\/a> <span class="hint">with <a href="#scope-read:issue-comment"><code>read:issue-comment<\/code><\/a><\/span>/)
})

test('a classic scope shows its replacements and its deprecation day; a granular one the classic scopes it takes over from', () => {
  const workspace = elementWithId(page, 'scope-workspace', '</li>\n<li')
  assert.match(workspace, /<span class="badge warn">Deprecated on 2027-06-07<\/span>/)
  assert.ok(workspace.includes(`<p>Replaced by ${scopeLink('read:workspace')}, ${scopeLink('read:workspace-member')} and ${scopeLink('read:installation')}.</p>`), workspace)
  const member = elementWithId(page, 'scope-read:workspace-member', '</li>\n<li')
  assert.ok(member.includes(`Takes over from the classic ${scopeLink('workspace')}.`))
  assert.doesNotMatch(member, /Deprecated on/)
})

test('ids are unique and valid (no spaces), and every in-page link has its target', () => {
  const ids = [...page.matchAll(/ id="([^"]*)"/g)].map((m) => m[1])
  assert.equal(new Set(ids).size, ids.length, `duplicate ids: ${ids.filter((id, i) => ids.indexOf(id) !== i).join(', ')}`)
  for (const id of ids) assert.match(id, /^\S+$/)
  for (const [, target] of page.matchAll(/ href="#([^"]*)"/g)) assert.ok(ids.includes(decodeURIComponent(target)), `#${target} has no target`)
})

test('the Deprecation header of a classic scope past its day links to this page, which has the scope', async () => {
  const t2 = await startTestApp({ classicScopes: 'warn' }, { clock: new TestClock(Date.UTC(2027, 6, 1)) })
  try {
    const { ada } = await acme(t2.app)
    const response = await t2.app.inject({ method: 'GET', url: '/2.0/user', headers: await ada.auth('account') })
    assert.equal(response.statusCode, 200)
    const link = /^<([^>]+)>; rel="deprecation"/.exec(response.headers.link as string)
    assert.ok(link, String(response.headers.link))
    const target = new URL(link[1])
    assert.equal(target.origin, t2.config.issuer)
    const linked = await t2.app.inject({ method: 'GET', url: target.pathname })
    assert.equal(linked.statusCode, 200)
    assert.match(linked.body, /<li class="panel" id="scope-account">/)
  } finally {
    await t2.close()
  }
})

test('"any valid token", a scope needed alone, odd names escaped and anchored: from a description of another API', () => {
  const document = {
    openapi: '3.1.0',
    tags: [{ name: 'Things' }, { name: 'Unused' }],
    components: { securitySchemes: { oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://x.example/token', scopes: { 'read:<thing>&': 'Read <things> & more', 'odd%#scope': 'Odd' } } } } } },
    paths: {
      '/things': { get: { operationId: 'listThings', tags: ['Things'], summary: 'Things <all>', security: [{ oauth2: [] }] } },
      '/things/{id}': { get: { summary: 'One thing', security: [{ oauth2: ['read:<thing>&'] }] } },
      '/ping': { get: { operationId: 'ping', security: [] } },
    },
  }
  const html = referenceContent(scopeReference(describeApi(document))).value
  assert.match(html, /<tr id="operation-listThings"><th scope="row" class="cell-name"><code><strong>GET<\/strong> \/<wbr>2.0\/<wbr>things<\/code><span class="cell-detail">Things &lt;all&gt;<\/span><\/th><td>Any valid token; no scope required<\/td><\/tr>/)
  // No operationId: the anchor is made from method and path, without spaces; untagged, grouped by path.
  assert.match(html, /<h3 id="operations-things">Things<\/h3>[\s\S]*<h3 id="operations-things-2">things<\/h3>/)
  assert.match(html, /<tr id="operation-GET-\/things\/\{id\}">/)
  assert.match(html, /<li class="panel" id="scope-read:&lt;thing&gt;&amp;">\n<div class="decision-head"><div class="decision-title"><h3><code><strong>read:&lt;thing&gt;&amp;<\/strong><\/code><\/h3><\/div><\/div>\n<p>Read &lt;things&gt; &amp; more<\/p>/)
  assert.match(html, /<a href="#scope-read:%3Cthing%3E&amp;"><code>read:&lt;thing&gt;&amp;<\/code><\/a>/)
  assert.match(html, /<li class="panel" id="scope-odd%#scope">[\s\S]*?No operation of this API accepts it\./)
  assert.doesNotMatch(html, /operations-unused/, 'a tag without operations has no section')
  assert.doesNotMatch(html, /classic-scopes/, 'no classic scopes, no section for them')
  assert.match(html, /<h2 id="operations">Operations<\/h2>\n<section aria-labelledby="operations-things">/)
})
