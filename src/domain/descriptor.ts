/**
 * The app descriptor a vendor publishes for an installed app, checked field by field. Every problem
 * is reported (not just the first), each naming the field's path and what was expected, so a vendor
 * fixes the descriptor in one pass. Top-level fields this platform does not read are ignored:
 * vendors keep their own (and other platforms') settings in the same file.
 *
 * {
 *   "key": "acme-reports",                         required; a-z 0-9 . _ -, 1–80, starting with a letter or digit
 *   "name": "Acme reports",                        required
 *   "description": "…",                            optional
 *   "vendor": { "name": "Acme", "url": "https://acme.example" },   optional; name required within it
 *   "baseUrl": "https://reports.acme.example",     required; https (http only where the caller allows it)
 *   "authentication": { "type": "jwt" },           required; jwt is the only type
 *   "lifecycle": { "installed": "/installed", "uninstalled": "…", "enabled": "…", "disabled": "…" },
 *                                                  installed required; paths relative to baseUrl
 *   "scopes": ["repository", "act_as_user"],       optional; the API's scopes, plus act_as_user
 *   "modules": { "pages": [{ "key": "overview", "name": "Overview", "url": "/overview" }] },
 *                                                  at least one page; modules are grouped by type, as on
 *                                                  the reference platform, so other types can join later
 *   "approval": "shared"                           or "per-installation"; default "shared"
 * }
 */

/** The descriptor-only scope that lets an app act as a user (the jwt-bearer grant); no API operation requires it. */
export const ACT_AS_USER = 'act_as_user'

export type Approval = 'shared' | 'per-installation'
export type LifecycleEvent = 'installed' | 'uninstalled' | 'enabled' | 'disabled'

export interface PageModule {
  key: string
  name: string
  /** A path relative to the app's baseUrl. */
  url: string
}

export interface Descriptor {
  key: string
  name: string
  /** Empty when the descriptor has none. */
  description: string
  vendor?: { name: string; url?: string }
  /** As the vendor wrote it: it is the `aud` of the callbacks, which apps compare as a string. */
  baseUrl: string
  authentication: { type: 'jwt' }
  /** Paths relative to baseUrl; only `installed` is required. */
  lifecycle: { installed: string } & Partial<Record<Exclude<LifecycleEvent, 'installed'>, string>>
  /** Without repeats, in the descriptor's order. */
  scopes: string[]
  modules: { pages: PageModule[] }
  approval: Approval
}

export interface DescriptorProblem {
  /** The field's path, e.g. `modules.pages[0].url`. */
  field: string
  /** A sentence naming the field and what was expected: `lifecycle.installed: expected a path starting with "/", got "https://evil/x"`. */
  message: string
}

export type DescriptorResult = { ok: true; descriptor: Descriptor } | { ok: false; problems: DescriptorProblem[] }

export interface DescriptorOptions {
  /** The names of the scopes the API defines (the scope catalogue). */
  scopeNames: Iterable<string>
  /** Accept an http baseUrl: only for development, when the app and Gatehouse run on this machine. */
  allowInsecureBaseUrl?: boolean
}

const KEY = /^[a-z0-9][a-z0-9._-]{0,79}$/
const KEY_EXPECTED = 'lower-case letters, digits, ".", "_" or "-" (1–80 characters, starting with a letter or digit)'
const MAX_NAME_LENGTH = 200
const MAX_DESCRIPTION_LENGTH = 1000
const MAX_URL_LENGTH = 2000
const MAX_PAGES = 50
const MAX_SHOWN_LENGTH = 100
const APPROVALS: readonly Approval[] = ['shared', 'per-installation']
const OPTIONAL_EVENTS = ['uninstalled', 'enabled', 'disabled'] as const

/** The descriptor, or every problem with it. */
export function validateDescriptor(input: unknown, options: DescriptorOptions): DescriptorResult {
  const problems: DescriptorProblem[] = []
  const report = (field: string, expected: string, got: unknown) => {
    problems.push({ field, message: `${field}: expected ${expected}, got ${shown(got)}` })
  }
  if (!isObject(input)) {
    report('descriptor', 'a JSON object', input)
    return { ok: false, problems }
  }
  const descriptor: Descriptor = {
    key: key('key', input.key, report),
    name: text('name', input.name, MAX_NAME_LENGTH, report),
    description: input.description === undefined ? '' : text('description', input.description, MAX_DESCRIPTION_LENGTH, report, { allowEmpty: true }),
    vendor: input.vendor === undefined ? undefined : vendor(input.vendor, report),
    baseUrl: baseUrl(input.baseUrl, options.allowInsecureBaseUrl ?? false, report),
    authentication: authentication(input.authentication, report),
    lifecycle: lifecycle(input.lifecycle, report),
    scopes: scopes(input.scopes, new Set(options.scopeNames), report),
    modules: modules(input.modules, report),
    approval: approval(input.approval, report),
  }
  if (descriptor.vendor === undefined) delete descriptor.vendor
  return problems.length === 0 ? { ok: true, descriptor } : { ok: false, problems }
}

/**
 * The absolute URL of a path from the descriptor (a lifecycle callback, a page module) under the
 * app's baseUrl: the base path is kept, so `https://x.example/app` + `/installed` is
 * `https://x.example/app/installed`.
 */
export function appUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`
}

/** Whether a string is a valid app key (also a page module key): a-z 0-9 . _ -, 1–80, starting with a letter or digit so it never reads as a command-line option. */
export function isAppKey(value: string): boolean {
  return KEY.test(value)
}

type Report = (field: string, expected: string, got: unknown) => void

function key(field: string, value: unknown, report: Report): string {
  if (typeof value === 'string' && isAppKey(value)) return value
  report(field, KEY_EXPECTED, value)
  return ''
}

function text(field: string, value: unknown, maxLength: number, report: Report, { allowEmpty = false } = {}): string {
  const trimmed = typeof value === 'string' ? value.trim() : undefined
  if (trimmed !== undefined && (allowEmpty || trimmed !== '') && trimmed.length <= maxLength) return trimmed
  report(field, `${allowEmpty ? 'a string' : 'a non-empty string'} of at most ${maxLength} characters`, value)
  return ''
}

function vendor(value: unknown, report: Report): Descriptor['vendor'] {
  if (!isObject(value)) {
    report('vendor', 'an object {name, url}', value)
    return undefined
  }
  const name = text('vendor.name', value.name, MAX_NAME_LENGTH, report)
  if (value.url === undefined) return { name }
  const url = absoluteUrl(value.url)
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) report('vendor.url', 'an absolute http(s) URL', value.url)
  return { name, url: value.url as string }
}

function baseUrl(value: unknown, allowInsecure: boolean, report: Report): string {
  const expected = allowInsecure ? 'an absolute https or http URL without query or fragment' : 'an absolute https URL without query or fragment'
  const url = absoluteUrl(value)
  const schemeOk = url !== undefined && (url.protocol === 'https:' || (allowInsecure && url.protocol === 'http:'))
  if (url === undefined || !schemeOk || url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || /[?#]/.test(value as string)) {
    report('baseUrl', expected, value)
    return ''
  }
  return value as string
}

/** A URL written out in full (`https://host…`), never one a parser completes (`https:host`, relative, with spaces). */
function absoluteUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH || !/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]/i.test(value) || /[\s\\\x00-\x1f\x7f]/.test(value)) return undefined
  try {
    return new URL(value)
  } catch {
    return undefined
  }
}

function authentication(value: unknown, report: Report): { type: 'jwt' } {
  if (!isObject(value)) report('authentication', 'an object {"type": "jwt"}', value)
  else if (value.type !== 'jwt') report('authentication.type', '"jwt"', value.type)
  return { type: 'jwt' }
}

function lifecycle(value: unknown, report: Report): Descriptor['lifecycle'] {
  if (!isObject(value)) {
    report('lifecycle', 'an object with at least an "installed" path', value)
    return { installed: '' }
  }
  const paths: Descriptor['lifecycle'] = { installed: relativePath('lifecycle.installed', value.installed, report) }
  for (const event of OPTIONAL_EVENTS) {
    if (value[event] !== undefined) paths[event] = relativePath(`lifecycle.${event}`, value[event], report)
  }
  return paths
}

/**
 * A path under the app's baseUrl. What would let a descriptor send a callback or a page elsewhere is
 * refused: another scheme or host (`https://…`, `//host`, `\\host`, which URL parsers read as a host),
 * and `..` segments (also percent-encoded), which climb out of baseUrl's path.
 */
function relativePath(field: string, value: unknown, report: Report): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.length > MAX_URL_LENGTH) {
    report(field, 'a path starting with "/"', value)
  } else if (value.startsWith('//') || value.includes('\\')) {
    report(field, 'a path on the app\'s own host (not starting with "//", no "\\")', value)
  } else if (/[\s\x00-\x1f\x7f#]/.test(value)) {
    report(field, 'a path without spaces, control characters or "#"', value)
  } else if (value.split('?')[0].split('/').some((segment) => /^(\.|%2e){2}$/i.test(segment))) {
    report(field, 'a path without ".." segments', value)
  } else {
    return value
  }
  return ''
}

function scopes(value: unknown, known: ReadonlySet<string>, report: Report): string[] {
  if (value === undefined) return []
  if (!Array.isArray(value)) {
    report('scopes', 'a list of scope names', value)
    return []
  }
  const names = [...known].sort()
  const expected = names.length <= 12 ? `one of ${[...names, ACT_AS_USER].map((n) => `"${n}"`).join(', ')}` : `a scope the API defines or "${ACT_AS_USER}"`
  value.forEach((scope, index) => {
    if (typeof scope !== 'string' || !(known.has(scope) || scope === ACT_AS_USER)) report(`scopes[${index}]`, expected, scope)
  })
  return [...new Set(value.filter((scope): scope is string => typeof scope === 'string'))]
}

function modules(value: unknown, report: Report): Descriptor['modules'] {
  const expected = 'at least one page module {key, name, url}'
  if (!isObject(value)) {
    report('modules', `an object {"pages": [...]} with ${expected}`, value)
    return { pages: [] }
  }
  const pages = value.pages
  if (!Array.isArray(pages) || pages.length === 0) {
    // The reference platform calls them generalPages; say where they go here.
    const hint = value.generalPages !== undefined && value.pages === undefined ? ' (page modules go in "pages" here, not "generalPages")' : ''
    report('modules.pages', `a list with ${expected}${hint}`, pages)
    return { pages: [] }
  }
  if (pages.length > MAX_PAGES) {
    report('modules.pages', `at most ${MAX_PAGES} page modules`, pages)
    return { pages: [] }
  }
  const seen = new Set<string>()
  return {
    pages: pages.map((page, index) => {
      const field = `modules.pages[${index}]`
      if (!isObject(page)) {
        report(field, 'an object {key, name, url}', page)
        return { key: '', name: '', url: '' }
      }
      const pageKey = key(`${field}.key`, page.key, report)
      if (pageKey !== '' && seen.has(pageKey)) report(`${field}.key`, 'a key no other page module has', page.key)
      seen.add(pageKey)
      return { key: pageKey, name: text(`${field}.name`, page.name, MAX_NAME_LENGTH, report), url: relativePath(`${field}.url`, page.url, report) }
    }),
  }
}

function approval(value: unknown, report: Report): Approval {
  if (value === undefined) return 'shared'
  if ((APPROVALS as readonly unknown[]).includes(value)) return value as Approval
  report('approval', APPROVALS.map((a) => `"${a}"`).join(' or '), value)
  return 'shared'
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A value as a problem message shows it: strings quoted and shortened, other JSON by kind. */
function shown(value: unknown): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return value.length === 0 ? 'an empty list' : 'a list'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') {
    return JSON.stringify(value.length > MAX_SHOWN_LENGTH ? `${value.slice(0, MAX_SHOWN_LENGTH)}…` : value)
  }
  return String(value)
}
