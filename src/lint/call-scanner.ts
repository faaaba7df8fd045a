import ts from 'typescript'
import { ConstantBindings, joinBaseUrl, propertyOf, readObject, readString, readUrl, unwrap, type Read, type UrlPart } from './static-values.js'

/**
 * Finds the HTTP calls an app's source makes, with the TypeScript parser: `fetch`, the Connect bridge's
 * `AP.request`, and axios (the default export, and instances made with `axios.create` in the same file).
 * Which of them reach the platform, and what they need, is for the rules to decide.
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

/** What the file calls axios, and its instances with their baseURL (undefined: none). */
interface AxiosNames {
  modules: Set<string>
  instances: Map<string, UrlPart[] | undefined>
}

export function scanSource(file: string, text: string): ScanResult {
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, scriptKind(file) ?? ts.ScriptKind.JS)
  const syntaxError = firstSyntaxError(sourceFile)
  if (syntaxError) return { ok: false, ...syntaxError }
  const bindings = new ConstantBindings(sourceFile)
  const axios = axiosNames(sourceFile, bindings)
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
  return { ok: true, calls }
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
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier) && node.moduleSpecifier.text === 'axios' && node.importClause?.name) {
      names.modules.add(node.importClause.name.text)
    }
    if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer) {
      const value = unwrap(node.initializer)
      if (isRequireAxios(value)) names.modules.add(node.name.text)
      if (ts.isCallExpression(value) && ts.isPropertyAccessExpression(value.expression) && value.expression.name.text === 'create' &&
        ts.isIdentifier(value.expression.expression) && names.modules.has(value.expression.expression.text)) {
        names.instances.set(node.name.text, instanceBase(value.arguments[0], bindings))
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(sourceFile)
  return names
}

function isRequireAxios(node: ts.Expression): boolean {
  const call = ts.isPropertyAccessExpression(node) && node.name.text === 'default' ? unwrap(node.expression) : node
  return ts.isCallExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === 'require' &&
    call.arguments.length === 1 && ts.isStringLiteral(call.arguments[0]) && call.arguments[0].text === 'axios'
}
