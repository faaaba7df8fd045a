import type { Migration } from 'kysely'
import * as core from './2026_11_23_0001_core.js'

/** Listed statically so the migrator needs no file-system scan; names sort by time. */
export const migrations: Record<string, Migration> = {
  '2026_11_23_0001_core': core,
}
