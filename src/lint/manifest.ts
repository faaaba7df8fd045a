import { isMap, isScalar, isSeq, parseDocument, Scalar, stringify, YAMLSeq, type Document } from 'yaml'
import { BadRequestError } from '../errors.js'

/**
 * An app's manifest (the Forge shape): its scopes are `permissions.scopes`, a list of scope names.
 * Lint reads them, and --fix rewrites only that list: the edit is spliced into the text where the list
 * is laid out one scope a line or as `[a, b]`, so every other byte (comments, quotes, blank lines, long
 * lines) stays as the vendor wrote it. Other layouts are edited through the YAML document model, which
 * keeps comments but prints the file in its own style.
 */

/** For each scope the manifest lists, in order, what it becomes (itself, its replacements, or nothing); then scopes added at the end. */
export interface ScopeEdit {
  entries: readonly (readonly string[])[]
  appended: readonly string[]
}

/** The scopes `permissions.scopes` lists; a manifest that is not YAML, or lists something else, is refused in one line. */
export function readManifestScopes(text: string, name: string): string[] {
  const doc = parseDocument(text)
  if (doc.errors.length > 0) throw new BadRequestError(`${name} is not valid YAML: ${firstLine(doc.errors[0].message)}`)
  const root = doc.contents
  if (root === null || (isScalar(root) && root.value === null)) return []
  if (!isMap(root)) throw new BadRequestError(`${name} must be a mapping (app, modules, permissions…)`)
  const permissions = root.get('permissions', true)
  if (permissions === undefined || (isScalar(permissions) && permissions.value === null)) return []
  if (!isMap(permissions)) throw new BadRequestError(`${name}: permissions must be a mapping with a "scopes" list`)
  const scopes = permissions.get('scopes', true)
  if (scopes === undefined || (isScalar(scopes) && scopes.value === null)) return []
  if (!isSeq(scopes)) throw new BadRequestError(`${name}: permissions.scopes must be a list of scope names`)
  return scopes.items.map((item, i) => {
    if (isScalar(item) && typeof item.value === 'string') return item.value
    throw new BadRequestError(`${name}: permissions.scopes must be a list of scope names, but item ${i + 1} is ${describe(item)}`)
  })
}

/** The manifest's text with `edit` made to its scopes (creating `permissions.scopes` if need be). */
export function editManifestScopes(text: string, edit: ScopeEdit): string {
  const wanted = [...edit.entries.flat(), ...edit.appended]
  const spliced = spliceScopes(text, edit, wanted)
  // The splice is checked by reading it back: the scopes wanted, and nothing else of the document changed.
  if (spliced !== undefined && sameDocument(spliced, withScopes(text, wanted))) return spliced
  return withScopes(text, wanted).toString()
}

function spliceScopes(text: string, edit: ScopeEdit, wanted: readonly string[]): string | undefined {
  const doc = parseDocument(text)
  const root = doc.contents
  const eol = text.includes('\r\n') ? '\r\n' : '\n'
  if (root === null || (isMap(root) && !root.flow && !root.has('permissions'))) return appendPermissions(text, wanted, eol)
  if (!isMap(root)) return undefined
  const permissions = root.get('permissions', true)
  if (isMap(permissions) && !permissions.flow && permissions.items.length > 0 && !permissions.has('scopes')) {
    return insertScopes(text, permissions.range?.[1], permissions.items[0].key, wanted, eol)
  }
  const scopes = isMap(permissions) ? permissions.get('scopes', true) : undefined
  if (!isSeq(scopes) || wanted.length === 0) return undefined
  if (scopes.flow) return spliceFlow(text, scopes, wanted)
  return spliceBlock(text, scopes, edit, eol)
}

/** One scope a line: each line is kept, rewritten or dropped; new scopes follow their line with the same `  - `. */
function spliceBlock(text: string, scopes: YAMLSeq, edit: ScopeEdit, eol: string): string | undefined {
  const lines = []
  for (const item of scopes.items) {
    if (!isScalar(item) || item.range == null) return undefined
    const [valueStart, valueEnd] = item.range
    const lineStart = text.lastIndexOf('\n', valueStart - 1) + 1
    const prefix = text.slice(lineStart, valueStart)
    if (!/^[ \t]*-[ \t]+$/.test(prefix) || text.slice(valueStart, valueEnd).includes('\n')) return undefined
    const newline = text.indexOf('\n', valueEnd)
    const lineEnd = newline === -1 ? text.length : text[newline - 1] === '\r' ? newline - 1 : newline
    lines.push({ item, prefix, lineStart, valueStart, valueEnd, lineEnd, next: newline === -1 ? text.length : newline + 1 })
  }
  const entries = lines.map((line, i) => [...(edit.entries[i] ?? [])])
  let lastKept = entries.length - 1
  while (lastKept >= 0 && entries[lastKept].length === 0) lastKept--
  if (lastKept === -1) return undefined
  entries[lastKept].push(...edit.appended)
  let out = ''
  let cursor = 0
  lines.forEach((line, i) => {
    const entry = entries[i]
    if (entry.length === 0) {
      out += text.slice(cursor, line.lineStart)
      cursor = line.next
      return
    }
    const kept = entry[0] === line.item.value
    const value = kept ? text.slice(line.valueStart, line.valueEnd) : scalar(entry[0], line.item)
    const rest = text.slice(line.valueEnd, line.lineEnd)
    out += text.slice(cursor, line.valueStart) + value + (kept ? rest : aligned(rest, line.valueEnd - line.valueStart - value.length))
    out += entry.slice(1).map((scope) => `${eol}${line.prefix}${scalar(scope, line.item)}`).join('')
    cursor = line.lineEnd
  })
  return out + text.slice(cursor)
}

/** A trailing comment stays in its column when the value before it grows or shrinks (by `shift`), if the spaces allow. */
function aligned(rest: string, shift: number): string {
  const spaces = /^[ ]+(?=#)/.exec(rest)?.[0].length
  if (spaces === undefined) return rest
  return ' '.repeat(Math.max(1, spaces + shift)) + rest.slice(spaces)
}

/** `scopes: [a, b]` is written again whole, with the same spacing inside the brackets. */
function spliceFlow(text: string, scopes: YAMLSeq, wanted: readonly string[]): string | undefined {
  if (scopes.range == null) return undefined
  const [start, end] = scopes.range
  const written = text.slice(start, end)
  if (!written.startsWith('[') || !written.trimEnd().endsWith(']') || written.includes('#') || written.includes('\n')) return undefined
  const first = scopes.items[0]
  const pad = /^\[\s/.test(written) ? ' ' : ''
  const list = `[${pad}${wanted.map((scope) => scalar(scope, isScalar(first) ? first : undefined)).join(', ')}${pad}]`
  return text.slice(0, start) + list + written.slice(written.trimEnd().length) + text.slice(end)
}

/** A manifest without permissions gets them at its end. */
function appendPermissions(text: string, wanted: readonly string[], eol: string): string {
  const unit = indentUnit(text)
  const block = ['permissions:', `${unit}scopes:`, ...wanted.map((scope) => `${unit}${unit}- ${scalar(scope)}`)].join(eol) + eol
  if (text.trim() === '') return block
  return text + (text.endsWith('\n') ? '' : eol) + block
}

/** Permissions without scopes (say, only `external:`) get a `scopes:` list after their last entry. */
function insertScopes(text: string, end: number | undefined, firstKey: unknown, wanted: readonly string[], eol: string): string | undefined {
  if (end === undefined || !isScalar(firstKey) || firstKey.range == null) return undefined
  const keyStart = firstKey.range[0]
  const indent = text.slice(text.lastIndexOf('\n', keyStart - 1) + 1, keyStart)
  if (!/^[ ]+$/.test(indent)) return undefined
  const lines = [`${indent}scopes:`, ...wanted.map((scope) => `${indent}${indentUnit(text)}- ${scalar(scope)}`)].join(eol)
  return text[end - 1] === '\n' ? text.slice(0, end) + lines + eol + text.slice(end) : text.slice(0, end) + eol + lines + text.slice(end)
}

/** The document with its scopes set to `wanted`, keeping the comments of the entries that stay. */
function withScopes(text: string, wanted: readonly string[]): Document {
  const doc = parseDocument(text)
  if (doc.contents === null || !isMap(doc.contents)) doc.contents = doc.createNode({}) as never
  const permissions = doc.get('permissions', true)
  if (!isMap(permissions)) {
    doc.set('permissions', doc.createNode({ scopes: [...wanted] }))
    return doc
  }
  const current = permissions.get('scopes', true)
  const items = isSeq(current) ? current.items : []
  const seq = isSeq(current) ? current : new YAMLSeq()
  seq.items = wanted.map((scope) => items.find((item) => isScalar(item) && item.value === scope) ?? doc.createNode(scope))
  permissions.set('scopes', seq)
  return doc
}

function sameDocument(text: string, expected: Document): boolean {
  const doc = parseDocument(text)
  return doc.errors.length === 0 && JSON.stringify(doc.toJS()) === JSON.stringify(expected.toJS())
}

/** A scope written like its neighbour: quoted the same way, or plain when YAML allows it. */
function scalar(scope: string, like?: Scalar): string {
  if (like?.type === Scalar.QUOTE_SINGLE) return `'${scope.replace(/'/g, "''")}'`
  if (like?.type === Scalar.QUOTE_DOUBLE) return JSON.stringify(scope)
  return stringify(scope).trimEnd()
}

/** The document's indentation step: its first indented line's, else two spaces. */
function indentUnit(text: string): string {
  return /\n( +)\S/.exec(text)?.[1] ?? '  '
}

function describe(item: unknown): string {
  if (isScalar(item)) return item.value === null ? 'empty' : `${JSON.stringify(item.value)} (not a string)`
  return isMap(item) ? 'a mapping' : 'a list'
}

function firstLine(message: string): string {
  return message.split('\n')[0].replace(/:$/, '')
}
