import type { Migration } from 'kysely'
import * as core from './2026_11_23_0001_core.js'
import * as codeRedirect from './2026_11_23_0002_code_redirect_and_revocation_expiry.js'
import * as keysAtRest from './2026_11_23_0003_keys_at_rest.js'
import * as sessions from './2026_11_23_0004_sessions.js'
import * as accountsAndApps from './2026_11_23_0005_accounts_and_apps.js'
import * as expiryIndexes from './2026_11_23_0006_expiry_indexes.js'
import * as appProfile from './2026_11_23_0007_app_profile.js'
import * as connectKeys from './2026_11_23_0009_connect_keys.js'
import * as installations from './2026_11_24_0010_installations.js'
import * as consentDecisions from './2026_12_07_0011_consent_decisions.js'
import * as featureFlags from './2026_12_07_0012_feature_flags.js'
import * as scopeUsage from './2026_12_07_0013_scope_usage.js'
import * as groups from './2026_12_07_0014_groups.js'

/** Listed statically so the migrator needs no file-system scan; names sort by time. */
export const migrations: Record<string, Migration> = {
  '2026_11_23_0001_core': core,
  '2026_11_23_0002_code_redirect_and_revocation_expiry': codeRedirect,
  '2026_11_23_0003_keys_at_rest': keysAtRest,
  '2026_11_23_0004_sessions': sessions,
  '2026_11_23_0005_accounts_and_apps': accountsAndApps,
  '2026_11_23_0006_expiry_indexes': expiryIndexes,
  '2026_11_23_0007_app_profile': appProfile,
  '2026_11_23_0009_connect_keys': connectKeys,
  '2026_11_24_0010_installations': installations,
  '2026_12_07_0011_consent_decisions': consentDecisions,
  '2026_12_07_0012_feature_flags': featureFlags,
  '2026_12_07_0013_scope_usage': scopeUsage,
  '2026_12_07_0014_groups': groups,
}
