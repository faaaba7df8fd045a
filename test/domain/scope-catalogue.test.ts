import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { CatalogueError, parseScopeCatalogue } from '../../src/domain/scope-catalogue.js'
import { SAMPLE_SCOPE_CATALOGUE } from '../../src/platform/openapi.js'

test('the sample catalogue: granular scopes with descriptions, each classic scope standing for granular ones with a deprecation day', () => {
  const scopes = parseScopeCatalogue(readFileSync(SAMPLE_SCOPE_CATALOGUE, 'utf8'))
  const repository = scopes.find((s) => s.name === 'repository')
  assert.deepEqual(repository, { name: 'repository', description: 'Read the repositories you can see', replacedBy: ['read:repository'], deprecatedOn: '2027-06-07' })
  assert.deepEqual(scopes.find((s) => s.name === 'read:issue-comment'), { name: 'read:issue-comment', description: 'Read the comments on issues' })
  for (const scope of scopes) assert.match(scope.name, /^([a-z]+:[a-z-]+|[a-z]+(:write|:admin)?)$/, scope.name)
})

test('every fault in a catalogue is named with its place', () => {
  const cases: [string, string][] = [
    ['granular: [a, b]\n', '"granular" must map each scope to its description'],
    ['granular:\n  read:a: Read a\nextra: 1\n', 'unknown section "extra" (expected "granular" and "classic")'],
    ['granular: {}\n', '"granular" lists no scope'],
    ['granular:\n  read a: Read a\n', 'granular: "read a" is not a scope name (printable ASCII, no spaces, quotes or backslashes)'],
    ['granular:\n  read:a: ""\n', 'granular scope "read:a" needs a one-line description'],
    ['granular:\n  read:a: Read a\nclassic:\n  a:\n    description: A\n', 'classic scope "a": "replaced-by" must list the granular scopes it stands for'],
    ['granular:\n  read:a: Read a\nclassic:\n  a:\n    description: A\n    replaced-by: [read:a]\n    deprecated: 2027-02-30\n', 'classic scope "a": "deprecated" must be a date written YYYY-MM-DD'],
    ['granular:\n  read:a: Read a\nclassic:\n  a:\n    description: A\n    replaced-by: [read:a]\n    sunset: 2027-01-01\n', 'classic scope "a": unknown field "sunset"'],
    ['granular:\n  read:a: Read a\nclassic:\n  read:a:\n    description: A\n    replaced-by: [read:a]\n', '"read:a" is both granular and classic'],
    ['granular:\n  read:a: Read a\n  read:a: Again\n', 'it is not valid YAML: Map keys must be unique'],
  ]
  for (const [text, message] of cases) {
    assert.throws(() => parseScopeCatalogue(text), (error: unknown) => error instanceof CatalogueError && error.message.startsWith(message), message)
  }
})
