import type { Clock } from '../domain/clock.js'
import { explicitConsentInEffect, type ExplicitConsentMode } from '../domain/explicit-consent.js'
import { NotFoundError } from '../errors.js'
import type { Db } from '../store/database.js'
import { EXPLICIT_CONSENT_FLAG, EXPLICIT_CONSENT_VENDOR_FLAG, FEATURE_FLAGS, findFlag, type FeatureFlag } from './flags.js'
import { deleteFlag, heldFlags, insertFlag, listEnabledFlags } from './labs.queries.js'

/** A flag as one account sees it on its Labs page. */
export interface ListedFlag extends FeatureFlag {
  enabled: boolean
  /** When the account turned it on; null while off. */
  enabledAt: number | null
}

export interface LabsDeps {
  db: Db
  clock: Clock
}

/** Every flag of the registry, in its order, with whether this account has it on. Rows of flags the code no longer knows are left out. */
export async function listFlagsFor(db: Db, userId: string): Promise<ListedFlag[]> {
  const on = new Map((await listEnabledFlags(db, userId)).map((row) => [row.flag, row.enabled_at]))
  return FEATURE_FLAGS.map((flag) => ({ ...flag, enabled: on.has(flag.name), enabledAt: on.get(flag.name) ?? null }))
}

export async function isEnabledFor(db: Db, userId: string, flag: string): Promise<boolean> {
  const rows = await heldFlags(db, [{ userId, flag: known(flag).name }])
  return rows.length > 0
}

/** Turns a flag on or off for the account; doing what is already so changes nothing. An unknown flag is a 404. */
export async function setFlag(deps: LabsDeps, userId: string, flag: string, on: boolean): Promise<FeatureFlag> {
  const found = known(flag)
  if (on) await insertFlag(deps.db, userId, found.name, deps.clock.now())
  else await deleteFlag(deps.db, userId, found.name)
  return found
}

export interface ExplicitConsentDeps {
  db: Db
  /** The deployment's GATEHOUSE_EXPLICIT_CONSENT (`config.explicitConsent`). */
  mode: ExplicitConsentMode
}

/**
 * Whether an embedded app's request for `userId`'s token waits for that user's decision: the rule in
 * `domain/explicit-consent.ts`, with the two flags read in one query (none in mode `on`). `vendorId` is
 * the account that publishes the app (its owner); null (an app without one) never has the flag.
 */
export async function explicitConsentApplies(deps: ExplicitConsentDeps, subject: { vendorId: string | null; userId: string }): Promise<boolean> {
  if (deps.mode === 'on') return explicitConsentInEffect({ mode: 'on', vendorHasFlag: false, userHasFlag: false })
  const wanted = [{ userId: subject.userId, flag: EXPLICIT_CONSENT_FLAG }]
  if (subject.vendorId !== null) wanted.push({ userId: subject.vendorId, flag: EXPLICIT_CONSENT_VENDOR_FLAG })
  const held = await heldFlags(deps.db, wanted)
  const has = (userId: string | null, flag: string) => held.some((row) => row.user_id === userId && row.flag === flag)
  return explicitConsentInEffect({ mode: deps.mode, vendorHasFlag: has(subject.vendorId, EXPLICIT_CONSENT_VENDOR_FLAG), userHasFlag: has(subject.userId, EXPLICIT_CONSENT_FLAG) })
}

function known(name: string): FeatureFlag {
  const flag = findFlag(name)
  if (!flag) throw new NotFoundError(`There is no Labs flag named "${name}"`)
  return flag
}
