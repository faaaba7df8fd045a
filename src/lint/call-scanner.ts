import ts from 'typescript'
import { ConstantBindings, joinBaseUrl, propertyOf, readObject, readString, readUrl, unwrap, type Read, type UrlPart } from './static-values.js'

/**
 * Finds the HTTP calls an app's source makes, with the TypeScript parser: `fetch`, the Connect bridge's
 * `AP.request`, and axios (the default export, and instances made with `axios.create`, in the file or
 * imported from another of the app's files: module-links.ts). Which of them reach the platform, and what
 * they need, is for the rules to decide.
 */

/** One HTTP call in the source, with what could be read of its URL and method. */
export interface ApiCall {
  /** Relative to the app's directory, with `/`. */
  file: string
  line: number
  column: number
  /** The call as written: `fetch`, `AP.request`, `axios.get`, `api.post`. */
  callee: string
  url: Read<UrlPart[]>
  /** Upper case (`GET`). */
  method: Read<string>
}

export type ScanResult = { ok: true; calls: ApiCall[] } | { ok: false; reason: string; line: number; column: number }

const SCRIPT_KINDS: Record<string, ts.ScriptKind> = {
  '.js': ts.ScriptKind.JS, '.mjs': ts.ScriptKind.JS, '.cjs': ts.ScriptKind.JS, '.jsx': ts.ScriptKind.JSX,
  '.ts': ts.ScriptKind.TS, '.mts': ts.ScriptKind.TS, '.cts': ts.ScriptKind.TS, '.tsx': ts.ScriptKind.TSX,
}

/** JavaScript and TypeScript sources; declaration files hold no calls. */
export function isScannable(fileName: string): boolean {
  return scriptKind(fileName) !== undefined && !/\.d\.[mc]?ts$/.test(fileName)
}

function scriptKind(fileName: string): ts.ScriptKind | undefined {
  const extension = /\.[a-z]+$/.exec(fileName)?.[0]
  return extension === undefined ? undefined : SCRIPT_KINDS[extension]
}

const GLOBALS = new Set(['window', 'globalThis', 'self'])
const AXIOS_URL_METHODS = new Set(['get', 'delete', 'head', 'options'])
const AXIOS_DATA_METHODS = new Set(['post', 'put', 'patch', 'postForm', 'putForm', 'patchForm'])
const GET: Read<string> = { ok: true, value: 'GET' }

/** A baseURL as URL parts; undefined: the instance has none. */
export type InstanceBase = UrlPart[] | undefined

/** What the file calls axios, and its instances with their baseURL. */
interface AxiosNames {
  modules: Set<string>
  instances: Map<string, InstanceBase>
}

/** A name the file imports from another of the app's files: `import { api } from './client.js'` → local `api`, name `api`. */
export interface ImportedName {
  local: string
  specifier: string
  /** The exported name, `default` for a default import. */
  name: string
}

/** A parsed source file, ready to be linked to the others (axios instances they export) and scanned. */
export interface ParsedSource {
  file: string
  sourceFile: ts.SourceFile
  bindings: ConstantBindings
  axios: AxiosNames
  imports: ImportedName[]
  /** The axios instances it exports, by exported name. */
  exportedInstances: Map<string, InstanceBase>
}

export type ParseResult = { ok: true; source: ParsedSource } | { ok: false; reason: string; line: number; column: number }

export function parseSource(file: string, text: string): ParseResult {
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file) ?? ts.ScriptKind.JS)
  const syntaxError = firstSyntaxError(sourceFile)
  if (syntaxError) return { ok: false, ...syntaxError }
  const bindings = new ConstantBindings(sourceFile)
  const axios = axiosNames(sourceFile, bindings)
  const { imports, exports } = moduleLinks(sourceFile)
  const exportedInstances = new Map<string, InstanceBase>()
  for (const [exported, local] of exports) if (axios.instances.has(local)) exportedInstances.set(exported, axios.instances.get(local))
  return { ok: true, source: { file, sourceFile, bindings, axios, imports, exportedInstances } }
}

/** The source's calls; `imported` are the axios instances it imports from the app's other files, by local name. */
export function findCalls(source: ParsedSource, imported: ReadonlyMap<string, InstanceBase> = new Map()): ApiCall[] {
  const { file, sourceFile, bindings } = source
  const axios: AxiosNames = { modules: source.axios.modules, instances: new Map([...imported, ...source.axios.instances]) }
  const calls: ApiCall[] = []
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const request = recognise(node, bindings, axios)
      if (request) {
        const { line, character } = sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile))
        calls.push({ file, line: line + 1, column: character + 1, ...request })
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(sourceFile)
  return calls
}

/** One file on its own: its calls, or why it could not be parsed. */
export function scanSource(file: string, text: string): ScanResult {
  const parsed = parseSource(file, text)
  return parsed.ok ? { ok: true, calls: findCalls(parsed.source) } : parsed
}

/**
 * The parser recovers from syntax errors and keeps them on the source file (not in the public typings,
 * but there since TypeScript 1.x); a program just to ask for them would parse the file twice.
 */
function firstSyntaxError(sourceFile: ts.SourceFile): { reason: string; line: number; column: number } | undefined {
  const diagnostic = (sourceFile as unknown as { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics?.[0]
  if (diagnostic === undefined) return undefined
  const { line, character } = sourceFile.getLineAndCharacterOfPosition(diagnostic.start ?? 0)
  return { reason: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '), line: line + 1, column: character + 1 }
}

type Request = Pick<ApiCall, 'callee' | 'url' | 'method'>
type UrlAndMethod = Pick<ApiCall, 'url' | 'method'>

function recognise(call: ts.CallExpression, bindings: ConstantBindings, axios: AxiosNames): Request | undefined {
  const callee = call.expression
  const [first, second, third] = call.arguments
  if (first === undefined) return undefined
  if (isGlobal(callee, 'fetch')) {
    return { callee: bindings.source(callee), url: readUrl(first, bindings), method: methodOption(second, 'method', bindings) }
  }
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'request' && isGlobal(callee.expression, 'AP')) {
    return { callee: 'AP.request', ...optionsOrUrl(first, second, 'type', bindings) }
  }
  if (ts.isIdentifier(callee) && isAxios(callee.text, axios)) {
    const config = readObject(first, bindings).ok ? first : second
    return { callee: callee.text, ...onAxios(optionsOrUrl(first, second, 'method', bindings), config, axios.instances.get(callee.text), bindings) }
  }
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && isAxios(callee.expression.text, axios)) {
    const target = callee.expression.text
    const method = callee.name.text
    const base = axios.instances.get(target)
    const named = (verb: string): UrlAndMethod => ({ url: readUrl(first, bindings), method: { ok: true, value: verb } })
    let request: UrlAndMethod | undefined
    if (method === 'request') request = onAxios(requestConfig(first, 'method', bindings), first, base, bindings)
    else if (AXIOS_URL_METHODS.has(method)) request = onAxios(named(method.toUpperCase()), second, base, bindings)
    else if (AXIOS_DATA_METHODS.has(method)) request = onAxios(named(method.replace(/Form$/, '').toUpperCase()), third, base, bindings)
    return request && { callee: `${target}.${method}`, ...request }
  }
  return undefined
}

function isAxios(name: string, axios: AxiosNames): boolean {
  return axios.modules.has(name) || axios.instances.has(name)
}

/** `fetch`, `window.fetch`, `globalThis.fetch`; `AP`, `window.AP`. */
function isGlobal(expression: ts.Expression, name: string): boolean {
  const node = unwrap(expression)
  if (ts.isIdentifier(node)) return node.text === name
  return ts.isPropertyAccessExpression(node) && node.name.text === name && ts.isIdentifier(node.expression) && GLOBALS.has(node.expression.text)
}

/** `call(url, options?)` or `call({ url, … })`, as AP.request and axios both accept; the method under `methodKey`. */
function optionsOrUrl(first: ts.Expression, second: ts.Expression | undefined, methodKey: string, bindings: ConstantBindings): UrlAndMethod {
  if (readObject(first, bindings).ok) return requestConfig(first, methodKey, bindings)
  return { url: readUrl(first, bindings), method: methodOption(second, methodKey, bindings) }
}

/** `{ url, method }`: axios's request config, or the bridge's with `type` for the method. */
function requestConfig(config: ts.Expression, methodKey: string, bindings: ConstantBindings): UrlAndMethod {
  const object = readObject(config, bindings)
  if (!object.ok) return { url: object, method: object }
  const url = propertyOf(object.value, 'url')
  return {
    url: !url.ok ? url : url.value === undefined ? { ok: false, reason: `${bindings.source(config)} has no url` } : readUrl(url.value, bindings),
    method: methodOption(config, methodKey, bindings),
  }
}

/** The method an options object names under `key`, GET when it names none (or there are no options). */
function methodOption(options: ts.Expression | undefined, key: string, bindings: ConstantBindings): Read<string> {
  if (options === undefined) return GET
  const object = readObject(options, bindings)
  if (!object.ok) return object
  const property = propertyOf(object.value, key)
  if (!property.ok) return property
  if (property.value === undefined) return GET
  const method = readString(property.value, bindings)
  return method.ok ? { ok: true, value: method.value.toUpperCase() } : method
}

/** The URL an axios call reaches: the baseURL of its config, else of its instance, joined to its URL. */
function onAxios(request: UrlAndMethod, config: ts.Expression | undefined, instanceBase: UrlPart[] | undefined, bindings: ConstantBindings): UrlAndMethod {
  const base = (config === undefined ? undefined : configuredBase(config, bindings)) ?? instanceBase
  if (!request.url.ok || base === undefined) return request
  return { url: { ok: true, value: joinBaseUrl(base, request.url.value) }, method: request.method }
}

/** A call's config's baseURL as URL parts; undefined when it names none, or cannot be read (then the instance's applies). */
function configuredBase(config: ts.Expression, bindings: ConstantBindings): UrlPart[] | undefined {
  const object = readObject(config, bindings)
  const baseURL = object.ok ? propertyOf(object.value, 'baseURL') : undefined
  return baseURL?.ok && baseURL.value !== undefined ? baseUrlParts(baseURL.value, bindings) : undefined
}

/** `axios.create(config)`'s baseURL; one that cannot be read is a run-time part in front, like an origin. */
function instanceBase(config: ts.Expression | undefined, bindings: ConstantBindings): UrlPart[] | undefined {
  if (config === undefined) return undefined
  const object = readObject(config, bindings)
  const baseURL = object.ok ? propertyOf(object.value, 'baseURL') : object
  if (!baseURL.ok) return [{ expression: `${bindings.source(config)}.baseURL` }]
  return baseURL.value === undefined ? undefined : baseUrlParts(baseURL.value, bindings)
}

function baseUrlParts(expression: ts.Expression, bindings: ConstantBindings): UrlPart[] {
  const parts = readUrl(expression, bindings)
  return parts.ok ? parts.value : [{ expression: bindings.source(expression) }]
}

/** `import axios from 'axios'`, `const http = require('axios')`, and `const api = axios.create({ baseURL })`. */
function axiosNames(sourceFile: ts.SourceFile, bindings: ConstantBindings): AxiosNames {
  const names: AxiosNames = { modules: new Set(['axios']), instances: new Map() }
  /** Local name → initializer; `default` for `export default <expression>`. */
  const candidates: [string, ts.Expression][] = []
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text === 'axios' && node.importClause?.name) {
      names.modules.add(node.importClause.name.text)
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      if (isRequireAxios(unwrap(node.initializer))) names.modules.add(node.name.text)
      else candidates.push([node.name.text, node.initializer])
    }
    if (ts.isExportAssignment(node) && !node.isExportEquals) candidates.push(['default', node.expression])
    ts.forEachChild(node, visit)
  }
  visit(sourceFile)
  // Once every name of axios is known, wherever the file imports it.
  for (const [name, initializer] of candidates) {
    const value = unwrap(initializer)
    if (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && value.expression.name.text === 'create' &&
      ts.isIdentifier(value.expression.expression) && names.modules.has(value.expression.expression.text)) {
      names.instances.set(name, instanceBase(value.arguments[0], bindings))
    }
  }
  return names
}

/**
 * What the file imports from relative paths (default and named imports), and what it exports: exported
 * name → local name. `export default axios.create()` has no local name, so it is recorded under `default`
 * as if it were declared `const default = …`.
 */
function moduleLinks(sourceFile: ts.SourceFile): { imports: ImportedName[]; exports: Map<string, string> } {
  const imports: ImportedName[] = []
  const exports = new Map<string, string>()
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.moduleSpecifier.text.startsWith('.')) {
      const specifier = statement.moduleSpecifier.text
      const clause = statement.importClause
      if (clause?.name) imports.push({ local: clause.name.text, specifier, name: 'default' })
      if (clause?.namedBindings && ts.isNamedImports(clause.namedBindings)) {
        for (const element of clause.namedBindings.elements) imports.push({ local: element.name.text, specifier, name: (element.propertyName ?? element.name).text })
      }
    }
    if (ts.isVariableStatement(statement) && statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) exports.set(declaration.name.text, declaration.name.text)
    }
    if (ts.isExportDeclaration(statement) && statement.moduleSpecifier === undefined && statement.exportClause && ts.isNamedExports(statement.exportClause)) {
      for (const element of statement.exportClause.elements) exports.set(element.name.text, (element.propertyName ?? element.name).text)
    }
    if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      const value = unwrap(statement.expression)
      exports.set('default', ts.isIdentifier(value) ? value.text : 'default')
    }
  }
  return { imports, exports }
}

function isRequireAxios(node: ts.Expression): boolean {
  const call = ts.isPropertyAccessExpression(node) && node.name.text === 'default' ? unwrap(node.expression) : node
  return ts.isCallExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === 'require' &&
    call.arguments.length === 1 && ts.isStringLiteral(call.arguments[0]) && call.arguments[0].text === 'axios'
}
