import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { testConfig } from '../../src/config.js'
import { describeApi, loadApiDescription } from '../../src/gateway/api-description.js'
import { sampleApi } from '../../src/platform/openapi.js'
import { referenceMarkdown } from '../../src/scopes/reference-markdown.js'
import { scopeReference } from '../../src/scopes/reference-model.js'
import { referenceContent } from '../../src/scopes/reference.page.js'
import { SAMPLE_REFERENCE_FILE, sampleReferenceMarkdown } from '../../src/scopes/sample-reference.js'

// docs/scopes.md: generated from the sample platform by `npm run docs:scopes`, from the page's model.

test('the committed docs/scopes.md is what `npm run docs:scopes` writes (regenerate and commit it when the API or catalogue changes)', async () => {
  const committed = readFileSync(SAMPLE_REFERENCE_FILE, 'utf8')
  const generated = await sampleReferenceMarkdown()
  if (committed !== generated) {
    const lines = { committed: committed.split('\n'), generated: generated.split('\n') }
    let at = 0
    while (lines.generated[at] === lines.committed[at]) at++
    assert.fail(`docs/scopes.md is stale from line ${at + 1}: run \`npm run docs:scopes\` and commit it.\n  committed: ${lines.committed[at]}\n  generated: ${lines.generated[at]}`)
  }
})

test('the Markdown does not depend on the deployment: another issuer writes the same file', async () => {
  const elsewhere = await loadApiDescription(testConfig({ issuer: 'https://gatehouse.example.org' }), sampleApi)
  const generatedBy = /^<!-- (.*) Do not edit/.exec(await sampleReferenceMarkdown())![1]
  assert.equal(referenceMarkdown(scopeReference(elsewhere), generatedBy), await sampleReferenceMarkdown())
})

test('page and Markdown say the same: the same anchors, operations and requirements', async () => {
  const api = await loadApiDescription(testConfig(), sampleApi)
  const reference = scopeReference(api)
  const markdown = referenceMarkdown(reference, 'Test.')
  const page = referenceContent(reference).value
  const markdownIds = [...markdown.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1])
  const pageIds = [...page.matchAll(/ id="((?:scope|operation|operations)-[^"]+)"/g)].map((m) => m[1])
  assert.deepEqual(markdownIds, pageIds)
  assert.equal(markdownIds.length, api.scopes.length + api.operations.length + reference.groups.length)
  // Each operation's requirements, written both ways.
  const comments = markdown.split('\n').find((line) => line.includes('<a id="operation-listIssueComments">'))!
  assert.equal(
    comments,
    '| <a id="operation-listIssueComments"></a>`GET /2.0/repositories/{workspace}/{repo_slug}/issues/{issue_id}/comments`<br>An issue\'s comments | [`read:issue`](#scope-read:issue) **and** [`read:issue-comment`](#scope-read:issue-comment)<br>or [`issue`](#scope-issue) _(classic, deprecated on 2027-06-07)_ |',
  )
  for (const group of reference.groups) {
    for (const operation of group.operations) {
      const line = markdown.split('\n').find((l) => l.startsWith(`| <a id="${operation.anchor}">`))
      assert.ok(line, operation.operationId)
      const scopes = [...line.matchAll(/\[`([^`]+)`\]\(#scope-/g)].map((m) => m[1])
      const expected = operation.access.kind === 'scopes' ? operation.access.alternatives.flatMap((a) => a.scopes) : []
      assert.deepEqual(scopes, expected, operation.operationId)
    }
  }
})

test('the rules come first, and the public operation says no scopes are needed', async () => {
  const markdown = await sampleReferenceMarkdown()
  assert.ok(markdown.indexOf('## How scope requirements work') < markdown.indexOf('## Operations'))
  assert.match(markdown, /A token may call it when it holds every scope of at least one of them/)
  assert.match(markdown, /Holding only some scopes of a requirement is not enough\. The call is refused with `403`/)
  assert.match(markdown, /\| <a id="operation-getOpenApiDocument"><\/a>`GET \/2\.0\/openapi\.json`<br>This document \| No scopes required \(no token\) \|/)
  assert.match(markdown, /\n### <a id="scope-workspace"><\/a>`workspace` \(deprecated on 2027-06-07\)\n\nRead the workspaces you belong to, their members and their apps\n\nReplaced by \[`read:workspace`\]\(#scope-read:workspace\), \[`read:workspace-member`\]\(#scope-read:workspace-member\) and \[`read:installation`\]\(#scope-read:installation\)\./)
})

test('Markdown from odd names: pipes in table cells escaped, text escaped, backticks fenced, "any valid token"', () => {
  const document = {
    openapi: '3.1.0',
    components: { securitySchemes: { oauth2: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://x.example/token', scopes: { 'a|b': 'Pipes *and* <tags> & `ticks`', 'x`y': '# not a heading' } } } } } },
    paths: {
      '/p': { get: { operationId: 'p', summary: 'One | two', security: [{ oauth2: ['a|b', 'x`y'] }] } },
      '/q': { get: { operationId: 'q', security: [{ oauth2: [] }] } },
    },
  }
  const markdown = referenceMarkdown(scopeReference(describeApi(document)), 'Test.')
  const row = markdown.split('\n').find((line) => line.startsWith('| <a id="operation-p">'))!
  assert.equal(row, '| <a id="operation-p"></a>`GET /2.0/p`<br>One \\| two | [`a\\|b`](#scope-a%7Cb) **and** [`` x`y ``](#scope-x%60y) |')
  assert.match(markdown, /\| <a id="operation-q"><\/a>`GET \/2\.0\/q` \| Any valid token; no scope required \|/)
  assert.match(markdown, /\nPipes \\\*and\\\* \\<tags\\> &amp; \\`ticks\\`\n/)
  assert.match(markdown, /\n\\# not a heading\n/)
})
