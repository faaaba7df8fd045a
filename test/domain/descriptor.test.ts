import assert from 'node:assert/strict'
import { test } from 'node:test'
import { appUrl, validateDescriptor, type Descriptor, type DescriptorOptions, type DescriptorResult } from '../../src/domain/descriptor.js'

const options: DescriptorOptions = { scopeNames: ['account', 'repository', 'repository:write'] }

function valid(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    key: 'acme-reports',
    name: 'Acme reports',
    description: 'Reports on your repositories',
    vendor: { name: 'Acme', url: 'https://acme.example' },
    baseUrl: 'https://reports.acme.example/app',
    authentication: { type: 'jwt' },
    lifecycle: { installed: '/installed', uninstalled: '/uninstalled', enabled: '/enabled', disabled: '/disabled' },
    scopes: ['repository', 'act_as_user'],
    modules: { pages: [{ key: 'overview', name: 'Overview', url: '/overview?tab=all' }] },
    approval: 'per-installation',
    ...overrides,
  }
}

function descriptorOf(result: DescriptorResult): Descriptor {
  assert.ok(result.ok, result.ok ? '' : result.problems.map((p) => p.message).join('\n'))
  return result.descriptor
}

function messagesOf(result: DescriptorResult): string[] {
  assert.ok(!result.ok, 'expected problems')
  return result.problems.map((p) => p.message)
}

test('a complete descriptor is read into its typed form', () => {
  assert.deepEqual(descriptorOf(validateDescriptor(valid(), options)), {
    key: 'acme-reports',
    name: 'Acme reports',
    description: 'Reports on your repositories',
    vendor: { name: 'Acme', url: 'https://acme.example' },
    baseUrl: 'https://reports.acme.example/app',
    authentication: { type: 'jwt' },
    lifecycle: { installed: '/installed', uninstalled: '/uninstalled', enabled: '/enabled', disabled: '/disabled' },
    scopes: ['repository', 'act_as_user'],
    modules: { pages: [{ key: 'overview', name: 'Overview', url: '/overview?tab=all' }] },
    approval: 'per-installation',
  })
})

test('a minimal descriptor gets the defaults: no description, vendor or scopes, shared approval', () => {
  const minimal = valid()
  for (const field of ['description', 'vendor', 'scopes', 'approval']) delete minimal[field]
  minimal.lifecycle = { installed: '/installed' }
  const descriptor = descriptorOf(validateDescriptor(minimal, options))
  assert.equal(descriptor.description, '')
  assert.equal('vendor' in descriptor, false)
  assert.deepEqual(descriptor.scopes, [])
  assert.equal(descriptor.approval, 'shared')
  assert.deepEqual(descriptor.lifecycle, { installed: '/installed' })
})

test('unknown top-level fields are ignored (vendors keep their own)', () => {
  const descriptor = descriptorOf(validateDescriptor(valid({ apiVersion: 1, links: { self: 'x' }, 'x-acme': true }), options))
  assert.equal('apiVersion' in descriptor, false)
})

test('every problem is reported at once, each naming its field', () => {
  const result = validateDescriptor({ key: 'Acme Reports', baseUrl: 'ftp://x', lifecycle: {}, modules: {} }, options)
  assert.deepEqual(messagesOf(result), [
    'key: expected lower-case letters, digits, ".", "_" or "-" (1–80 characters, starting with a letter or digit), got "Acme Reports"',
    'name: expected a non-empty string of at most 200 characters, got nothing',
    'baseUrl: expected an absolute https URL without query or fragment, got "ftp://x"',
    'authentication: expected an object {"type": "jwt"}, got nothing',
    'lifecycle.installed: expected a path starting with "/", got nothing',
    'modules.pages: expected a list with at least one page module {key, name, url}, got nothing',
  ])
  assert.ok(!result.ok)
  assert.deepEqual(result.problems.map((p) => p.field), ['key', 'name', 'baseUrl', 'authentication', 'lifecycle.installed', 'modules.pages'])
})

test('a descriptor that is not an object is one problem', () => {
  for (const input of [null, [], 'text', 3, undefined]) {
    const result = validateDescriptor(input, options)
    assert.ok(!result.ok)
    assert.equal(result.problems.length, 1)
    assert.match(result.problems[0].message, /^descriptor: expected a JSON object, got /)
  }
})

test('key: lower-case letters, digits, ".", "_", "-", 1–80, not starting with punctuation', () => {
  for (const key of ['a', 'acme', 'com.acme.reports', 'acme_reports-2', '0day', 'a'.repeat(80)]) {
    assert.equal(descriptorOf(validateDescriptor(valid({ key }), options)).key, key)
  }
  for (const key of ['', 'Acme', 'acme reports', 'acme/reports', '-acme', '.acme', 'a'.repeat(81), 'acmé', 7, null]) {
    const [message] = messagesOf(validateDescriptor(valid({ key }), options))
    assert.match(message, /^key: expected lower-case letters/, String(key))
  }
})

test('name and description: strings within their length, trimmed', () => {
  assert.equal(descriptorOf(validateDescriptor(valid({ name: '  Acme  ' }), options)).name, 'Acme')
  assert.deepEqual(messagesOf(validateDescriptor(valid({ name: '   ' }), options)), ['name: expected a non-empty string of at most 200 characters, got "   "'])
  assert.deepEqual(messagesOf(validateDescriptor(valid({ name: { value: 'Acme' } }), options)), ['name: expected a non-empty string of at most 200 characters, got an object'])
  assert.equal(descriptorOf(validateDescriptor(valid({ description: '' }), options)).description, '')
  assert.match(messagesOf(validateDescriptor(valid({ description: 'x'.repeat(1001) }), options))[0], /^description: expected a string of at most 1000 characters, got "x{100}…"$/)
})

test('vendor: an object with a name and an optional http(s) url', () => {
  assert.deepEqual(descriptorOf(validateDescriptor(valid({ vendor: { name: 'Acme' } }), options)).vendor, { name: 'Acme' })
  assert.deepEqual(messagesOf(validateDescriptor(valid({ vendor: 'Acme' }), options)), ['vendor: expected an object {name, url}, got "Acme"'])
  assert.deepEqual(messagesOf(validateDescriptor(valid({ vendor: { url: 'javascript:alert(1)' } }), options)), [
    'vendor.name: expected a non-empty string of at most 200 characters, got nothing',
    'vendor.url: expected an absolute http(s) URL, got "javascript:alert(1)"',
  ])
})

test('baseUrl: an absolute https URL; http only when the caller allows it', () => {
  for (const baseUrl of ['https://reports.acme.example', 'https://reports.acme.example/', 'https://reports.acme.example:8443/app', 'https://[2001:db8::1]/x']) {
    assert.equal(descriptorOf(validateDescriptor(valid({ baseUrl }), options)).baseUrl, baseUrl)
  }
  assert.deepEqual(messagesOf(validateDescriptor(valid({ baseUrl: 'http://127.0.0.1:3000' }), options)), [
    'baseUrl: expected an absolute https URL without query or fragment, got "http://127.0.0.1:3000"',
  ])
  assert.equal(descriptorOf(validateDescriptor(valid({ baseUrl: 'http://127.0.0.1:3000' }), { ...options, allowInsecureBaseUrl: true })).baseUrl, 'http://127.0.0.1:3000')
  const refused = ['https:reports.acme.example', 'reports.acme.example', '/app', 'https://', 'https://user:pw@acme.example', 'https://acme.example/?x=1', 'https://acme.example/#top',
    'https://acme.example?', 'https://acme .example', 'https://acme.example/a\\b', 'javascript://acme.example', 'file:///etc/passwd', 'https://' + 'a'.repeat(2000), 42, undefined]
  for (const baseUrl of refused) {
    const messages = messagesOf(validateDescriptor(valid({ baseUrl }), { ...options, allowInsecureBaseUrl: true }))
    assert.equal(messages.length, 1, String(baseUrl))
    assert.match(messages[0], /^baseUrl: expected an absolute https or http URL/, String(baseUrl))
  }
})

test('authentication: only jwt', () => {
  assert.deepEqual(messagesOf(validateDescriptor(valid({ authentication: { type: 'none' } }), options)), ['authentication.type: expected "jwt", got "none"'])
  assert.deepEqual(messagesOf(validateDescriptor(valid({ authentication: { type: 'JWT' } }), options)), ['authentication.type: expected "jwt", got "JWT"'])
  assert.deepEqual(messagesOf(validateDescriptor(valid({ authentication: 'jwt' }), options)), ['authentication: expected an object {"type": "jwt"}, got "jwt"'])
})

test('lifecycle: installed required; each path relative to baseUrl', () => {
  assert.deepEqual(messagesOf(validateDescriptor(valid({ lifecycle: '/installed' }), options)), [
    'lifecycle: expected an object with at least an "installed" path, got "/installed"',
  ])
  assert.deepEqual(messagesOf(validateDescriptor(valid({ lifecycle: { uninstalled: '/gone' } }), options)), [
    'lifecycle.installed: expected a path starting with "/", got nothing',
  ])
  assert.deepEqual(messagesOf(validateDescriptor(valid({ lifecycle: { installed: 'https://evil/x', disabled: 'off' } }), options)), [
    'lifecycle.installed: expected a path starting with "/", got "https://evil/x"',
    'lifecycle.disabled: expected a path starting with "/", got "off"',
  ])
  const lifecycle = descriptorOf(validateDescriptor(valid({ lifecycle: { installed: '/hooks/installed?v=2', enabled: '/hooks/enabled' } }), options)).lifecycle
  assert.deepEqual(lifecycle, { installed: '/hooks/installed?v=2', enabled: '/hooks/enabled' })
})

test('paths that would leave the app\'s host or baseUrl are refused', () => {
  const cases: Array<[string, RegExp]> = [
    ['//evil.example/x', /own host/],
    ['/\\evil.example/x', /own host/],
    ['/x\\..\\..\\admin', /own host/],
    ['/../admin', /"\.\." segments/],
    ['/a/../../admin', /"\.\." segments/],
    ['/a/%2e%2e/%2E%2E/admin', /"\.\." segments/],
    ['/a/.%2e/admin', /"\.\." segments/],
    ['/..', /"\.\." segments/],
    ['/x y', /without spaces/],
    ['/x\n', /without spaces/],
    ['/x#frag', /without spaces, control characters or "#"/],
    ['', /starting with "\/"/],
    ['installed', /starting with "\/"/],
    ['javascript:alert(1)', /starting with "\/"/],
  ]
  for (const [path, expected] of cases) {
    const messages = messagesOf(validateDescriptor(valid({ lifecycle: { installed: path } }), options))
    assert.equal(messages.length, 1, path)
    assert.match(messages[0], /^lifecycle\.installed: expected a path/, path)
    assert.match(messages[0], expected, path)
  }
  // Dots that are not a whole segment are ordinary characters.
  for (const path of ['/a..b', '/.well-known/x', '/a/./b', '/x?next=../y']) {
    assert.equal(descriptorOf(validateDescriptor(valid({ lifecycle: { installed: path } }), options)).lifecycle.installed, path)
  }
})

test('scopes: the API\'s scopes plus act_as_user; each unknown one named by index; repeats dropped', () => {
  assert.deepEqual(descriptorOf(validateDescriptor(valid({ scopes: ['account', 'act_as_user', 'account'] }), options)).scopes, ['account', 'act_as_user'])
  assert.deepEqual(messagesOf(validateDescriptor(valid({ scopes: ['account', 'admin', 7, 'ACT_AS_USER'] }), options)), [
    'scopes[1]: expected one of "account", "repository", "repository:write", "act_as_user", got "admin"',
    'scopes[2]: expected one of "account", "repository", "repository:write", "act_as_user", got 7',
    'scopes[3]: expected one of "account", "repository", "repository:write", "act_as_user", got "ACT_AS_USER"',
  ])
  assert.deepEqual(messagesOf(validateDescriptor(valid({ scopes: 'account' }), options)), ['scopes: expected a list of scope names, got "account"'])
  const many = { scopeNames: Array.from({ length: 20 }, (_, i) => `scope${i}`) }
  assert.deepEqual(messagesOf(validateDescriptor(valid({ scopes: ['nope'] }), many)), ['scopes[0]: expected a scope the API defines or "act_as_user", got "nope"'])
})

test('modules: at least one page {key, name, url}, keys unique, urls relative', () => {
  assert.deepEqual(messagesOf(validateDescriptor(valid({ modules: { pages: [] } }), options)), [
    'modules.pages: expected a list with at least one page module {key, name, url}, got an empty list',
  ])
  assert.deepEqual(messagesOf(validateDescriptor(valid({ modules: [{ key: 'a', name: 'A', url: '/a' }] }), options)), [
    'modules: expected an object {"pages": [...]} with at least one page module {key, name, url}, got a list',
  ])
  assert.deepEqual(messagesOf(validateDescriptor(valid({ modules: { generalPages: [{ key: 'a', name: { value: 'A' }, url: '/a' }] } }), options)), [
    'modules.pages: expected a list with at least one page module {key, name, url} (page modules go in "pages" here, not "generalPages"), got nothing',
  ])
  const pages = [
    { key: 'overview', name: 'Overview', url: '/overview' },
    { key: 'overview', name: '', url: 'https://evil.example/x' },
    'settings',
    { key: 'Settings', name: 'Settings', url: '/../settings' },
  ]
  assert.deepEqual(messagesOf(validateDescriptor(valid({ modules: { pages } }), options)), [
    'modules.pages[1].key: expected a key no other page module has, got "overview"',
    'modules.pages[1].name: expected a non-empty string of at most 200 characters, got ""',
    'modules.pages[1].url: expected a path starting with "/", got "https://evil.example/x"',
    'modules.pages[2]: expected an object {key, name, url}, got "settings"',
    'modules.pages[3].key: expected lower-case letters, digits, ".", "_" or "-" (1–80 characters, starting with a letter or digit), got "Settings"',
    'modules.pages[3].url: expected a path without ".." segments, got "/../settings"',
  ])
  const tooMany = Array.from({ length: 51 }, (_, i) => ({ key: `p${i}`, name: 'P', url: '/p' }))
  assert.deepEqual(messagesOf(validateDescriptor(valid({ modules: { pages: tooMany } }), options)), ['modules.pages: expected at most 50 page modules, got a list'])
  // Other module types are the vendor's business until this platform reads them.
  assert.equal(descriptorOf(validateDescriptor(valid({ modules: { pages: [{ key: 'a', name: 'A', url: '/a' }], webhooks: 'x' } }), options)).modules.pages.length, 1)
})

test('approval: shared or per-installation', () => {
  assert.equal(descriptorOf(validateDescriptor(valid({ approval: 'shared' }), options)).approval, 'shared')
  assert.deepEqual(messagesOf(validateDescriptor(valid({ approval: 'per_installation' }), options)), ['approval: expected "shared" or "per-installation", got "per_installation"'])
  assert.deepEqual(messagesOf(validateDescriptor(valid({ approval: null }), options)), ['approval: expected "shared" or "per-installation", got null'])
})

test('appUrl keeps the base path and never doubles the slash', () => {
  assert.equal(appUrl('https://x.example/app', '/installed'), 'https://x.example/app/installed')
  assert.equal(appUrl('https://x.example/app/', '/installed'), 'https://x.example/app/installed')
  assert.equal(appUrl('https://x.example', '/installed?v=1'), 'https://x.example/installed?v=1')
})
