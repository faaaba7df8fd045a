import { existsSync, mkdirSync, statSync } from 'node:fs'
import { dirname } from 'node:path'
import { ConfigError } from '../errors.js'

/** The embedded database a first start uses when DATABASE_URL is not set. */
export const DEFAULT_DATABASE_URL = 'sqlite:data/gatehouse.db'

/** The file a `sqlite:PATH` URL names; undefined for PostgreSQL and for an in-memory database. */
export function sqliteFile(databaseUrl: string): string | undefined {
  if (!databaseUrl.startsWith('sqlite:')) return undefined
  const path = databaseUrl.slice('sqlite:'.length)
  return path === ':memory:' ? undefined : path
}

/**
 * Makes sure the SQLite database's folder is there before the database (or the key file beside it)
 * is written. Only the embedded default's folder (`data/`) is made: an explicit path whose folder is
 * missing is more likely a typo or an unmounted volume than a wish, and creating folders anywhere
 * would hide it until the data turned up in the wrong place.
 */
export function ensureDatabaseFolder(databaseUrl: string): void {
  const file = sqliteFile(databaseUrl)
  if (file === undefined) return
  const folder = dirname(file)
  if (existsSync(folder)) {
    if (!statSync(folder).isDirectory()) throw new ConfigError(`DATABASE_URL names ${file}, but ${folder} is not a folder`)
    return
  }
  if (databaseUrl === DEFAULT_DATABASE_URL) {
    mkdirSync(folder, { recursive: true })
    return
  }
  throw new ConfigError(`DATABASE_URL names ${file}, but the folder ${folder} does not exist; create it first, or fix the path`)
}
