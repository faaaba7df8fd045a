import { posix } from 'node:path'
import type { InstanceBase, ParsedSource } from './call-scanner.js'

/**
 * Apps make their axios instance once (`export const api = axios.create({ baseURL })`) and import it
 * everywhere; a call through it must be seen in the importing file too, or --prune would take its scopes
 * for unused. Relative imports are resolved the way bundlers and TypeScript do (extension optional,
 * `.js` standing for `.ts`, a folder's index).
 */
export function importedInstances(sources: readonly ParsedSource[]): Map<string, Map<string, InstanceBase>> {
  const byFile = new Map(sources.map((source) => [source.file, source]))
  const linked = new Map<string, Map<string, InstanceBase>>()
  for (const source of sources) {
    const instances = new Map<string, InstanceBase>()
    for (const imported of source.imports) {
      const target = resolveImport(source.file, imported.specifier, byFile)
      if (target?.exportedInstances.has(imported.name)) instances.set(imported.local, target.exportedInstances.get(imported.name))
    }
    linked.set(source.file, instances)
  }
  return linked
}

const SCRIPT_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs']
const COMPILED_TO: Record<string, string[]> = { '.js': ['.ts', '.tsx'], '.jsx': ['.tsx'], '.mjs': ['.mts'], '.cjs': ['.cts'] }

function resolveImport<T>(from: string, specifier: string, files: ReadonlyMap<string, T>): T | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier))
  const extension = posix.extname(base)
  const candidates = [
    base,
    ...(COMPILED_TO[extension] ?? []).map((compiled) => base.slice(0, -extension.length) + compiled),
    ...SCRIPT_EXTENSIONS.map((ext) => base + ext),
    ...SCRIPT_EXTENSIONS.map((ext) => `${base}/index${ext}`),
  ]
  for (const candidate of candidates) if (files.has(candidate)) return files.get(candidate)
  return undefined
}
