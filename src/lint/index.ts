import { writeFile } from 'node:fs/promises'
import { listSourceFiles, readManifestFile, readSourceFile } from './app-directory.js'
import { findCalls, parseSource, type ApiCall, type ParsedSource } from './call-scanner.js'
import { planFix } from './fix-plan.js'
import { editManifestScopes, readManifestScopes } from './manifest.js'
import { importedInstances } from './module-links.js'
import type { LintOutcome } from './report.js'
import { lintApp, type PlatformFacts, type Problem, type UnreadableFile } from './rules.js'

/**
 * `gatehouse lint`: read the app (manifest, then sources), apply the rules, and with --fix or --prune
 * write the manifest and report what remains.
 */

export { exitCode, jsonReport, textReport, type LintOutcome } from './report.js'
export type { PlatformFacts, Problem } from './rules.js'
export type { ManifestChange } from './fix-plan.js'

export interface LintOptions {
  platform: PlatformFacts
  now: number
  /** Replace classic scopes and add the missing ones. */
  fix: boolean
  /** Also remove the scopes no call uses (implies fix). */
  prune: boolean
}

export async function lintDirectory(dir: string, options: LintOptions): Promise<LintOutcome> {
  const manifest = await readManifestFile(dir)
  const scopes = readManifestScopes(manifest.text, manifest.name)
  const { calls, unreadable } = await scanApp(dir)
  const lint = (listed: readonly string[]): Problem[] => lintApp({ scopes: listed, calls, unreadable }, options.platform, options.now)
  if (!options.fix && !options.prune) return { problems: lint(scopes), changes: [] }

  const plan = planFix(scopes, options.platform.scopes, lint, options.prune)
  let fixed = scopes
  if (plan.changes.length > 0) {
    const text = editManifestScopes(manifest.text, plan.edit)
    await writeFile(manifest.path, text)
    fixed = readManifestScopes(text, manifest.name)
  }
  return { problems: [...lint(fixed), ...(plan.pruneRefusal ? [plan.pruneRefusal] : [])], changes: plan.changes }
}

/** Every source parsed first, so calls through an axios instance imported from another file are found. */
async function scanApp(dir: string): Promise<{ calls: ApiCall[]; unreadable: UnreadableFile[] }> {
  const { files, unlisted } = await listSourceFiles(dir)
  const sources: ParsedSource[] = []
  const unreadable: UnreadableFile[] = [...unlisted]
  for (const file of files) {
    try {
      const parsed = parseSource(file, await readSourceFile(dir, file))
      if (parsed.ok) sources.push(parsed.source)
      else unreadable.push({ file, reason: parsed.reason, line: parsed.line, column: parsed.column })
    } catch (error) {
      // A file that cannot be read, or that the parser gives up on: lint goes on without it, and says so.
      unreadable.push({ file, reason: (error as NodeJS.ErrnoException).code ?? (error as Error).message })
    }
  }
  const imported = importedInstances(sources)
  const calls: ApiCall[] = []
  for (const source of sources) {
    try {
      calls.push(...findCalls(source, imported.get(source.file)))
    } catch (error) {
      unreadable.push({ file: source.file, reason: (error as Error).message })
    }
  }
  return { calls, unreadable }
}
