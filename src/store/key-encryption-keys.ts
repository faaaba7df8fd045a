import { randomBytes } from 'node:crypto'
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, extname, join } from 'node:path'
import type { Config } from '../config.js'
import { ConfigError } from '../errors.js'
import { ensureDatabaseFolder } from './embedded-database.js'
import { generateKekText, parseKek, type KeyEncryptionKey, type Keyring } from './secret-box.js'

type KekSettings = Pick<Config, 'databaseUrl' | 'kek' | 'kekFile' | 'previousKeks' | 'previousKekFile'>

/**
 * Where the key-encryption key comes from. A configured one always wins. Without one, only the
 * embedded default may do without: its KEK lives in a file next to the SQLite database (made on
 * first start), which keeps `npm start` a one-step start while the database file alone still
 * reveals no signing key. A PostgreSQL deployment has no data folder of its own, so it must say.
 */
export type KekPlan =
  | { kind: 'configured' }
  | { kind: 'data-folder'; path: string }
  | { kind: 'in-memory' }
  | { kind: 'missing' }

export function kekPlan(config: Pick<KekSettings, 'databaseUrl' | 'kek' | 'kekFile'>): KekPlan {
  if (config.kek || config.kekFile) return { kind: 'configured' }
  if (!config.databaseUrl.startsWith('sqlite:')) return { kind: 'missing' }
  const databasePath = config.databaseUrl.slice('sqlite:'.length)
  if (databasePath === ':memory:') return { kind: 'in-memory' }
  return { kind: 'data-folder', path: join(dirname(databasePath), `${basename(databasePath, extname(databasePath))}.kek`) }
}

export interface LoadedKeyring {
  keyring: Keyring
  /** Where the current KEK came from, for messages. */
  source: string
  /** Set when this start made the KEK: the file it wrote. */
  generatedFile?: string
}

/** Reads (or, for the embedded default, creates) the KEKs. Start-up code only; a problem is one line naming the variable. */
export function loadKeyring(config: KekSettings): LoadedKeyring {
  const previous = [...config.previousKeks, ...(config.previousKekFile ? readKeyList(config.previousKekFile) : [])]
  const plan = kekPlan(config)
  switch (plan.kind) {
    case 'configured':
      if (config.kek) return { keyring: { current: config.kek, previous }, source: 'GATEHOUSE_KEK' }
      return { keyring: { current: readKeyFile(config.kekFile!, 'GATEHOUSE_KEK_FILE'), previous }, source: `GATEHOUSE_KEK_FILE (${config.kekFile})` }
    case 'missing':
      throw new ConfigError('GATEHOUSE_KEK (or GATEHOUSE_KEK_FILE) is required with PostgreSQL: signing keys are stored encrypted under it; make one with `openssl rand -base64 32`')
    case 'in-memory':
      return { keyring: { current: parseKek(generateKekText())!, previous }, source: 'a key kept in memory (the database is in memory too)' }
    case 'data-folder': {
      ensureDatabaseFolder(config.databaseUrl)
      const generated = createKeyFileIfAbsent(plan.path)
      return { keyring: { current: readKeyFile(plan.path, 'the generated key file'), previous }, source: plan.path, ...(generated ? { generatedFile: plan.path } : {}) }
    }
  }
}

/**
 * True if this call made the file. Written aside and linked into place, so two processes
 * starting together on one database agree on one key and neither reads a half-written file.
 */
function createKeyFileIfAbsent(path: string): boolean {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  try {
    writeFileSync(aside, `${generateKekText()}\n`, { mode: 0o600, flag: 'wx' })
    linkSync(aside, path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw new ConfigError(`cannot create the key-encryption key file ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); set GATEHOUSE_KEK or GATEHOUSE_KEK_FILE`)
  } finally {
    rmSync(aside, { force: true })
  }
}

function readKeyFile(path: string, name: string): KeyEncryptionKey {
  const key = parseKek(readText(path, name))
  if (!key) throw new ConfigError(`${name} (${path}) must hold 32 bytes in base64 or hex`)
  return key
}

/** One key a line (or comma-separated); blank lines and `#` comments are skipped. */
function readKeyList(path: string): KeyEncryptionKey[] {
  const items = readText(path, 'GATEHOUSE_KEK_PREVIOUS_FILE')
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((item) => item.trim())
    .filter(Boolean)
  return items.map((item, i) => parseKek(item) ?? fail(`GATEHOUSE_KEK_PREVIOUS_FILE (${path}): key ${i + 1} must be 32 bytes in base64 or hex`))
}

function readText(path: string, name: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new ConfigError(`${name} (${path}) cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
}

function fail(message: string): never {
  throw new ConfigError(message)
}
