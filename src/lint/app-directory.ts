import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { BadRequestError } from '../errors.js'
import { isScannable } from './call-scanner.js'

/** The app's files as lint sees them: its manifest, and the sources it scans. The only part of lint that reads the disk. */

const MANIFEST_NAMES = ['manifest.yml', 'manifest.yaml']
/** Installed packages and build output are not the vendor's code; hidden folders (.git, .cache) neither. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'build', 'coverage'])

export interface ManifestFile {
  path: string
  /** As messages name it: the path as given, `my-app/manifest.yml`. */
  name: string
  text: string
}

export async function readManifestFile(dir: string): Promise<ManifestFile> {
  await checkDirectory(dir)
  for (const name of MANIFEST_NAMES) {
    const path = join(dir, name)
    try {
      return { path, name: path, text: await readFile(path, 'utf8') }
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'ENOENT') continue
      throw new BadRequestError(`cannot read ${path}: ${code ?? (error as Error).message}`)
    }
  }
  throw new BadRequestError(`no manifest.yml in ${dir} (lint reads the app's scopes from its permissions.scopes)`)
}

/** The sources under `dir`, relative to it with `/`, in a stable order; and the folders that could not be listed. */
export async function listSourceFiles(dir: string): Promise<{ files: string[]; unlisted: { file: string; reason: string }[] }> {
  const files: string[] = []
  const unlisted: { file: string; reason: string }[] = []
  const walk = async (under: string): Promise<void> => {
    let entries
    try {
      entries = await readdir(join(dir, under), { withFileTypes: true })
    } catch (error) {
      unlisted.push({ file: under, reason: `cannot list the folder (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` })
      return
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = under === '' ? entry.name : `${under}/${entry.name}`
      if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED_FOLDERS.has(entry.name)) await walk(path)
      else if (entry.isFile() && isScannable(entry.name)) files.push(path)
    }
  }
  await walk('')
  return { files, unlisted }
}

export async function readSourceFile(dir: string, file: string): Promise<string> {
  return readFile(join(dir, file), 'utf8')
}

async function checkDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined)
  if (!info?.isDirectory()) throw new BadRequestError(`${dir} is not a directory`)
}
