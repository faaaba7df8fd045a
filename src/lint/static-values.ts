import ts from 'typescript'

/**
 * What lint can know of an expression without running the app: string literals, templates, `+`
 * concatenations, object literals, and identifiers bound by `const` to one of these in the same file.
 * Anything else is "built at run time", and lint says so rather than guessing.
 */

/** A piece of a URL: text written in the source, or a value only known at run time (kept as its source text). */
export type UrlPart = { text: string } | { expression: string }

export type Read<T> = { ok: true; value: T } | { ok: false; reason: string }

/** An object literal's properties, last one winning; `open` when a spread may add others. */
export interface StaticObject {
  properties: Map<string, ts.Expression>
  open: boolean
}

/** How deep `const A = B`, `const B = …` chains are followed; a cycle is a mistake in the app, not a reason to hang. */
const MAX_DEPTH = 20

/**
 * The file's `const NAME = value` bindings. A name declared anywhere else in the file too (another const,
 * a parameter, a loop variable, an import) is left out: which declaration a use refers to is not known here.
 */
export class ConstantBindings {
  readonly #values = new Map<string, ts.Expression | null>()

  constructor(readonly sourceFile: ts.SourceFile) {
    const declare = (name: ts.Node | undefined, value: ts.Expression | null): void => {
      if (name === undefined) return
      if (ts.isIdentifier(name)) this.#values.set(name.text, this.#values.has(name.text) ? null : value)
      else if (ts.isObjectBindingPattern(name) || ts.isArrayBindingPattern(name)) {
        for (const element of name.elements) if (ts.isBindingElement(element)) declare(element.name, null)
      }
    }
    const visit = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node)) {
        const constant = (node.parent.flags & ts.NodeFlags.Const) !== 0 && ts.isIdentifier(node.name) && node.initializer !== undefined
        declare(node.name, constant ? node.initializer! : null)
      } else if (ts.isParameter(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isImportClause(node) ||
        ts.isImportSpecifier(node) || ts.isNamespaceImport(node) || ts.isImportEqualsDeclaration(node) || ts.isEnumDeclaration(node)) {
        declare(node.name, null)
      }
      ts.forEachChild(node, visit)
    }
    visit(sourceFile)
  }

  valueOf(name: string): ts.Expression | undefined {
    return this.#values.get(name) ?? undefined
  }

  source(node: ts.Node): string {
    return node.getText(this.sourceFile)
  }
}

/** Parentheses, `as`, `satisfies`, `!` and `<T>` change nothing at run time. */
export function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression
  while (
    ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current) ||
    ts.isNonNullExpression(current) || ts.isTypeAssertionExpression(current)
  ) {
    current = current.expression
  }
  return current
}

/**
 * A URL as parts: `\`${BASE}/2.0/repositories/${ws}\`` → [BASE, '/2.0/repositories/', ws] where BASE and ws
 * are run-time values (or the text of a constant they are bound to). Fails when nothing of it is written
 * in the source (`fetch(url)` with `url` a parameter).
 */
export function readUrl(expression: ts.Expression, bindings: ConstantBindings): Read<UrlPart[]> {
  const parts = urlParts(expression, bindings, 0)
  if (parts.some((part) => 'text' in part && part.text !== '')) return { ok: true, value: merge(parts) }
  return { ok: false, reason: notConstant(expression, bindings) }
}

function urlParts(expression: ts.Expression, bindings: ConstantBindings, depth: number): UrlPart[] {
  const node = unwrap(expression)
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [{ text: node.text }]
  if (ts.isTemplateExpression(node)) {
    const parts: UrlPart[] = [{ text: node.head.text }]
    for (const span of node.templateSpans) parts.push(...urlParts(span.expression, bindings, depth + 1), { text: span.literal.text })
    return parts
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    return [...urlParts(node.left, bindings, depth + 1), ...urlParts(node.right, bindings, depth + 1)]
  }
  if (ts.isIdentifier(node) && depth < MAX_DEPTH) {
    const value = bindings.valueOf(node.text)
    if (value !== undefined) return urlParts(value, bindings, depth + 1)
  }
  // `new URL('/2.0/user', base)`: an absolute path or a full URL does not depend on the base.
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL' && node.arguments?.[0]) {
    const path = urlParts(node.arguments[0], bindings, depth + 1)
    const first = path[0]
    if (first && 'text' in first && /^(\/|[a-z][a-z0-9+.-]*:)/i.test(first.text)) return path
  }
  return [{ expression: bindings.source(node) }]
}

/** Adjacent texts joined, so `'/2.0/' + 'user'` reads as one. */
function merge(parts: readonly UrlPart[]): UrlPart[] {
  const merged: UrlPart[] = []
  for (const part of parts) {
    const last = merged[merged.length - 1]
    if ('text' in part && last && 'text' in last) merged[merged.length - 1] = { text: last.text + part.text }
    else if (!('text' in part) || part.text !== '') merged.push(part)
  }
  return merged
}

/** A string the source spells out (a literal, or a const bound to one), e.g. a request's method. */
export function readString(expression: ts.Expression, bindings: ConstantBindings, depth = 0): Read<string> {
  const node = unwrap(expression)
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { ok: true, value: node.text }
  if (ts.isIdentifier(node) && depth < MAX_DEPTH) {
    const value = bindings.valueOf(node.text)
    if (value !== undefined) return readString(value, bindings, depth + 1)
  }
  return { ok: false, reason: notConstant(expression, bindings) }
}

/** An object literal the source spells out (fetch's init, axios's config), directly or through a const. */
export function readObject(expression: ts.Expression, bindings: ConstantBindings, depth = 0): Read<StaticObject> {
  const node = unwrap(expression)
  if (ts.isIdentifier(node) && depth < MAX_DEPTH) {
    const value = bindings.valueOf(node.text)
    if (value !== undefined) return readObject(value, bindings, depth + 1)
  }
  if (!ts.isObjectLiteralExpression(node)) return { ok: false, reason: notConstant(expression, bindings) }
  const properties = new Map<string, ts.Expression>()
  let open = false
  for (const property of node.properties) {
    if (ts.isSpreadAssignment(property)) {
      // A spread may set any property; one written after it still wins.
      open = true
      properties.clear()
    } else if (ts.isPropertyAssignment(property) && propertyName(property.name) !== undefined) {
      properties.set(propertyName(property.name)!, property.initializer)
    } else if (ts.isShorthandPropertyAssignment(property)) {
      properties.set(property.name.text, property.name)
    }
  }
  return { ok: true, value: { properties, open } }
}

/**
 * One property of a static object: its expression, undefined when it is surely absent, or a failure
 * when a spread may have set it.
 */
export function propertyOf(object: StaticObject, name: string): Read<ts.Expression | undefined> {
  const value = object.properties.get(name)
  if (value !== undefined) return { ok: true, value }
  if (object.open) return { ok: false, reason: `its "${name}" may come from a spread (...) built at run time` }
  return { ok: true, value: undefined }
}

function propertyName(name: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text
  return undefined
}

function notConstant(expression: ts.Expression, bindings: ConstantBindings): string {
  const node = unwrap(expression)
  const source = shorten(bindings.source(node))
  return ts.isIdentifier(node) ? `${source} is not a constant in this file` : `${source} is built at run time`
}

function shorten(source: string): string {
  const oneLine = source.replace(/\s+/g, ' ')
  return oneLine.length > 60 ? `${oneLine.slice(0, 57)}...` : oneLine
}

/** axios's rule for a relative URL on an instance with a baseURL: one slash between them; an absolute URL ignores the base. */
export function joinBaseUrl(base: readonly UrlPart[], url: readonly UrlPart[]): UrlPart[] {
  const first = url[0]
  if (first && 'text' in first && /^([a-z][a-z\d+.-]*:)?\/\//i.test(first.text)) return [...url]
  if (url.length === 0) return [...base]
  const left = [...base]
  const right = [...url]
  const last = left[left.length - 1]
  if (last && 'text' in last) left[left.length - 1] = { text: last.text.replace(/\/+$/, '') }
  if ('text' in right[0]) right[0] = { text: (right[0] as { text: string }).text.replace(/^\/+/, '') }
  return merge([...left, { text: '/' }, ...right])
}
