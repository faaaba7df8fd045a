import assert from 'node:assert/strict'
import { test } from 'node:test'
import { BadRequestError } from '../../src/errors.js'
import { editManifestScopes, readManifestScopes } from '../../src/lint/manifest.js'

const BLOCK = [
  '# Issue Digest',
  'app:',
  '  id: ari:cloud:ecosystem::app/issue-digest   # keep this spacing',
  '  description: "A long description that a YAML printer would fold at eighty columns, which lint must never do"',
  '',
  'permissions:',
  '  scopes:',
  '    # The panel greets whoever is signed in.',
  '    - account            # classic',
  "    - 'read:repository'",
  '    - write:issue        # from version 1',
  '  external:',
  '    fetch:',
  '      backend: [ https://api.example.test ]',
  '',
].join('\n')

test('reads permissions.scopes in block or flow style; a manifest without them has none', () => {
  assert.deepEqual(readManifestScopes(BLOCK, 'manifest.yml'), ['account', 'read:repository', 'write:issue'])
  assert.deepEqual(readManifestScopes('permissions:\n  scopes: [read:user, "write:issue"]\n', 'manifest.yml'), ['read:user', 'write:issue'])
  for (const text of ['', '# only a comment\n', 'app:\n  id: x\n', 'permissions:\n', 'permissions:\n  scopes:\n', 'permissions:\n  scopes: []\n']) {
    assert.deepEqual(readManifestScopes(text, 'manifest.yml'), [], JSON.stringify(text))
  }
})

test('a manifest that is not YAML, or whose scopes are not a list of names, is refused in one line naming the file', () => {
  const refusals: [string, string][] = [
    ['permissions:\n  scopes: [a, b\n', 'app/manifest.yml is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 3, column 1'],
    ['- a\n- b\n', 'app/manifest.yml must be a mapping (app, modules, permissions…)'],
    ['permissions: [read:user]\n', 'app/manifest.yml: permissions must be a mapping with a "scopes" list'],
    ['permissions:\n  scopes: read:user\n', 'app/manifest.yml: permissions.scopes must be a list of scope names'],
    ['permissions:\n  scopes:\n    - read:user\n    - 42\n', 'app/manifest.yml: permissions.scopes must be a list of scope names, but item 2 is 42 (not a string)'],
    ['permissions:\n  scopes:\n    - { name: read:user }\n', 'app/manifest.yml: permissions.scopes must be a list of scope names, but item 1 is a mapping'],
  ]
  for (const [text, message] of refusals) {
    assert.throws(() => readManifestScopes(text, 'app/manifest.yml'), (error: unknown) => {
      assert.ok(error instanceof BadRequestError)
      assert.equal(error.message, message)
      return true
    })
  }
})

test('block list: a replaced scope keeps its place, its quotes and its comments; new ones follow with the same indentation; every other byte stays', () => {
  const edited = editManifestScopes(BLOCK, { entries: [['read:user'], ['read:repository', 'read:issue'], ['write:issue']], appended: ['write:issue-comment'] })
  assert.equal(edited, BLOCK.replace(
    "    - account            # classic\n    - 'read:repository'\n    - write:issue        # from version 1\n",
    "    - read:user          # classic\n    - 'read:repository'\n    - 'read:issue'\n    - write:issue        # from version 1\n    - write:issue-comment\n",
  ))
})

test('block list: a removed scope takes its line (and its trailing comment) with it; comments above it stay', () => {
  const edited = editManifestScopes(BLOCK, { entries: [[], ['read:repository'], []], appended: [] })
  assert.equal(edited, BLOCK.replace("    - account            # classic\n    - 'read:repository'\n    - write:issue        # from version 1\n", "    - 'read:repository'\n"))
})

test('flow list: written again in place with the same spacing; the rest of the line and file stay', () => {
  const text = 'app: { key: board }\npermissions:\n  scopes: [ read:user, workspace ]   # see docs\n  # end\n'
  assert.equal(
    editManifestScopes(text, { entries: [['read:user'], ['read:workspace', 'read:workspace-member']], appended: ['read:issue'] }),
    'app: { key: board }\npermissions:\n  scopes: [ read:user, read:workspace, read:workspace-member, read:issue ]   # see docs\n  # end\n',
  )
  assert.equal(editManifestScopes('permissions:\n  scopes: []\n', { entries: [], appended: ['read:user'] }), 'permissions:\n  scopes: [read:user]\n')
})

test('a manifest without permissions gets them at its end; permissions without scopes get a scopes list', () => {
  assert.equal(editManifestScopes('app:\n    id: x\n', { entries: [], appended: ['read:user', 'read:issue'] }), 'app:\n    id: x\npermissions:\n    scopes:\n        - read:user\n        - read:issue\n')
  assert.equal(editManifestScopes('app:\n  id: x', { entries: [], appended: ['read:user'] }), 'app:\n  id: x\npermissions:\n  scopes:\n    - read:user\n')
  assert.equal(editManifestScopes('', { entries: [], appended: ['read:user'] }), 'permissions:\n  scopes:\n    - read:user\n')
  assert.equal(
    editManifestScopes('permissions:\n  external:\n    fetch:\n      backend:\n        - https://api.example.test   # ours\nother: 1\n', { entries: [], appended: ['read:user'] }),
    'permissions:\n  external:\n    fetch:\n      backend:\n        - https://api.example.test   # ours\n  scopes:\n    - read:user\nother: 1\n',
  )
})

test('Windows line endings are kept', () => {
  const text = 'permissions:\r\n  scopes:\r\n    - account  # classic\r\n    - read:issue\r\n'
  assert.equal(editManifestScopes(text, { entries: [['read:user'], ['read:issue']], appended: ['write:issue'] }), 'permissions:\r\n  scopes:\r\n    - read:user # classic\r\n    - read:issue\r\n    - write:issue\r\n')
})

test('layouts the splice does not handle are edited through the YAML document model, keeping comments', () => {
  const edited = editManifestScopes('# my app\npermissions:\n  scopes:\n', { entries: [], appended: ['read:user'] })
  assert.deepEqual(readManifestScopes(edited, 'manifest.yml'), ['read:user'])
  assert.match(edited, /^# my app\n/)
  const emptied = editManifestScopes('permissions:\n  scopes:\n    - write:issue   # unused\n', { entries: [[]], appended: [] })
  assert.deepEqual(readManifestScopes(emptied, 'manifest.yml'), [])
  assert.equal(emptied, 'permissions:\n  scopes: []\n')
})
