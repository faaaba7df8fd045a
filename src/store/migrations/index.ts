import type { Migration } from 'kysely'
import * as core from './2026_11_23_0001_core.js'
import * as codeRedirect from './2026_11_23_0002_code_redirect_and_revocation_expiry.js'

/** Listed statically so the migrator needs no file-system scan; names sort by time. */
export const migrations: Record<string, Migration> = {
  '2026_11_23_0001_core': core,
  '2026_11_23_0002_code_redirect_and_revocation_expiry': codeRedirect,
}
