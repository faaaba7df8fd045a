import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/**
 * The shape of src/: folders (capabilities) must not import each other in a loop, or none of them can
 * be understood, tested or replaced alone. Type-only imports count: they are dependencies of the design
 * even when erased at run time. Files at the top of src/ (app.ts assembles everything; config.ts,
 * errors.ts are shared by all) are not folders and are left out.
 */

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src')

interface Import {
  from: string
  to: string
  specifier: string
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })
}

/** Every relative import, export-from and dynamic import of src/, by file. */
function relativeImports(): Import[] {
  return sourceFiles(SRC).flatMap((file) =>
    ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => ({ from: relative(SRC, file), to: relative(SRC, resolve(dirname(file), specifier)), specifier })),
  )
}

/** `oauth/grant-types/grant-type.ts` → `oauth`; a file at the top of src/ → undefined. */
function folderOf(path: string): string | undefined {
  const parts = path.split('/')
  return parts.length > 1 ? parts[0] : undefined
}

/** Folder → folders it imports, with one example import per edge. */
function folderGraph(imports: readonly Import[]): Map<string, Map<string, Import>> {
  const graph = new Map<string, Map<string, Import>>()
  for (const edge of imports) {
    const from = folderOf(edge.from)
    const to = folderOf(edge.to)
    if (from === undefined || to === undefined || from === to) continue
    if (!graph.has(from)) graph.set(from, new Map())
    if (!graph.get(from)!.has(to)) graph.get(from)!.set(to, edge)
  }
  return graph
}

/** Strongly connected components of more than one folder (Tarjan): each is a set of folders in a loop. */
function loops(graph: Map<string, Map<string, Import>>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const found: string[][] = []
  const visit = (folder: string) => {
    index.set(folder, index.size)
    low.set(folder, index.get(folder)!)
    stack.push(folder)
    for (const next of graph.get(folder)?.keys() ?? []) {
      if (!index.has(next)) {
        visit(next)
        low.set(folder, Math.min(low.get(folder)!, low.get(next)!))
      } else if (stack.includes(next)) {
        low.set(folder, Math.min(low.get(folder)!, index.get(next)!))
      }
    }
    if (low.get(folder) === index.get(folder)) {
      const component: string[] = []
      let member: string
      do {
        member = stack.pop()!
        component.push(member)
      } while (member !== folder)
      if (component.length > 1) found.push(component.sort())
    }
  }
  for (const folder of graph.keys()) if (!index.has(folder)) visit(folder)
  return found
}

function describeLoop(graph: Map<string, Map<string, Import>>, members: readonly string[]): string {
  const edges = members.flatMap((from) =>
    members.filter((to) => graph.get(from)?.has(to)).map((to) => {
      const example = graph.get(from)!.get(to)!
      return `  ${from} → ${to} (e.g. ${example.from} imports ${example.specifier})`
    }),
  )
  return `${members.join(', ')}:\n${edges.join('\n')}`
}

test('no import loops between the folders of src/', () => {
  const graph = folderGraph(relativeImports())
  assert.ok(graph.size > 5, 'the import graph was read')
  const found = loops(graph)
  assert.deepEqual(found, [], `folders importing each other in a loop:\n${found.map((l) => describeLoop(graph, l)).join('\n')}`)
})

test('the loop finder finds a loop (the control for the test above)', () => {
  const graph = folderGraph([
    { from: 'gateway/api-description.ts', to: 'platform/openapi.ts', specifier: '../platform/openapi.js' },
    { from: 'platform/index.ts', to: 'gateway/api-description.ts', specifier: '../gateway/api-description.js' },
    { from: 'oauth/index.ts', to: 'domain/scopes.ts', specifier: '../domain/scopes.js' },
    { from: 'app.ts', to: 'oauth/index.ts', specifier: './oauth/index.js' },
    { from: 'oauth/index.ts', to: 'errors.ts', specifier: '../errors.js' },
  ])
  assert.deepEqual(loops(graph), [['gateway', 'platform']])
})

test('oauth/ uses web/ only through its page API (web/index.ts), for the consent page', () => {
  const reaching = relativeImports().filter((edge) => folderOf(edge.from) === 'oauth' && folderOf(edge.to) === 'web' && edge.to !== 'web/index.js')
  assert.deepEqual(reaching.map((edge) => `${edge.from} imports ${edge.specifier}`), [])
})
