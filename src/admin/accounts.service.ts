import { setTimeout as sleep } from 'node:timers/promises'
import { getApp, rotateClientSecret } from '../apps/apps.service.js'
import { deleteAppRow, listAppsOwnedBy, setAppDisabledAt, setAppVerifiedAt } from '../apps/apps.queries.js'
import type { Clock } from '../domain/clock.js'
import type { SecretFormat } from '../domain/opaque-token.js'
import { generatePassword, hashPassword } from '../domain/password.js'
import { ConflictError, NotFoundError } from '../errors.js'
import { listLiveClientCredentialsGrants, revokeGrantRows, revokeGrantsOfApp, revokeGrantsOfUser } from '../oauth/grants.queries.js'
import { FOREVER, type RevocationList } from '../oauth/revocation-list.js'
import type { Db } from '../store/database.js'
import type { User } from '../store/schema.js'
import {
  countAuthoredContentOutside,
  countOtherActiveAdmins,
  deleteUserRow,
  deleteUserSessions,
  deleteWorkspaces,
  findUserByUsername,
  listMembershipsWithOthers,
  setUserAdmin,
  setUserDisabledAt,
  setUserPasswordHash,
} from '../users/users.queries.js'

/**
 * What an administrator does to accounts and apps: disable, enable, delete, the admin flag, a new
 * password, and an app's verification.
 * The same operations serve the CLI and the admin pages; callers check who may run them.
 *
 * Disabling revokes everything the account or app holds, on every node within a second: its grants
 * and refresh tokens in the database, and its access tokens through one revocation row that covers
 * every token of the subject (`iat` compared, so tokens whose grant row was missed, or that another
 * node minted in the moment before it heard, are covered too). Re-enabling lowers that row to
 * "everything issued until now", so old tokens stay dead.
 */
export interface AccountAdminDeps {
  db: Db
  clock: Clock
  accessTokenTtlSeconds: number
  revocations: Pick<RevocationList, 'record' | 'recordSubject' | 'recordAppChanged'>
  /** Waits `ms` of real time; re-enabling waits out the second of its cutoff (see `enableUser`). */
  wait?: (ms: number) => Promise<void>
}

export interface UserChange {
  username: string
  id: string
  disabled: boolean
  /** Grants (and their refresh tokens) revoked by disabling. */
  revokedGrants?: number
  /** Apps the account owned, now without an owner (their client_credentials grant stops working). */
  appsWithoutOwner?: string[]
  /** Workspaces only this account belonged to, deleted with it. */
  deletedWorkspaces?: string[]
  deleted?: boolean
}

export interface AppChange {
  clientId: string
  name: string
  disabled: boolean
  revokedGrants?: number
  deleted?: boolean
}

export interface PasswordReset {
  username: string
  id: string
  /** Generated; shown to the administrator once and stored only as a hash. */
  password: string
}

export interface AppVerification {
  clientId: string
  name: string
  verifiedAt: number | null
}

/** What the console refuses an administrator to do to their own account: each would lock them out. */
export type OwnAccountAction = 'disable' | 'delete' | 'remove-admin' | 'reset-password'

const OWN_ACCOUNT_REFUSALS: Record<OwnAccountAction, string> = {
  disable: 'You cannot disable your own account',
  delete: 'You cannot delete your own account',
  'remove-admin': 'You cannot remove your own administrator role',
  'reset-password': 'You cannot reset your own password here, since it would sign you out',
}

// Another host whose clock runs a little behind still accepts a token briefly after its exp; outlast that.
const CLOCK_SKEW_MS = 60_000
// How late a token may still be minted for a subject just deleted: a node's client-authentication
// cache (5 s) if it never hears of the change, plus a request in flight.
const LATE_ISSUANCE_MS = 10_000

export async function disableUser(deps: AccountAdminDeps, username: string): Promise<UserChange> {
  const user = await requireUser(deps.db, username)
  if (user.disabled_at !== null) return { username, id: user.id, disabled: true, revokedGrants: 0 }
  await refuseLastAdmin(deps.db, user, 'disable')
  const now = deps.clock.now()
  const revokedGrants = await withAnnouncements(deps.db, async (trx, announce) => {
    await setUserDisabledAt(trx, user.id, now)
    const revoked = await revokeGrantsOfUser(trx, user.id, now, 'user disabled')
    await deleteUserSessions(trx, user.id)
    // "All", not "before now": while disabled, nothing of the account may work, whenever minted.
    announce(await deps.revocations.recordSubject(trx, 'user', user.id, { issuedBefore: 'all', expiresAt: FOREVER }))
    // Its apps' client-credentials tokens act as the account: caches must see the owner disabled.
    for (const app of await listAppsOwnedBy(trx, user.id)) announce(await deps.revocations.recordAppChanged(trx, app.clientId))
    return revoked
  })
  return { username, id: user.id, disabled: true, revokedGrants }
}

/**
 * Re-enables the account; its tokens from before stay revoked. Tokens carry `iat` in whole
 * seconds, so the cutoff covers the whole second it falls in, and the account is enabled only once
 * that second has passed (a wait under a second): no token minted afterwards falls under it.
 */
export async function enableUser(deps: AccountAdminDeps, username: string): Promise<UserChange> {
  const user = await requireUser(deps.db, username)
  if (user.disabled_at === null) return { username, id: user.id, disabled: false }
  const cutoff = await setCutoff(deps, 'user', user.id)
  await waitPastSecondOf(deps, cutoff)
  await withAnnouncements(deps.db, async (trx, announce) => {
    await setUserDisabledAt(trx, user.id, null)
    for (const app of await listAppsOwnedBy(trx, user.id)) announce(await deps.revocations.recordAppChanged(trx, app.clientId))
  })
  return { username, id: user.id, disabled: false }
}

/**
 * Deletes an account and what only it used. Refused, with the reason, when that would leave others
 * stranded: the last administrator; the only owner of a workspace others belong to; an author of
 * issues or comments in such workspaces (they would lose their author). Disabling is the answer
 * then. Workspaces only it belonged to are deleted with it; apps it owned stay, without an owner
 * (like a dynamically registered app), and are listed so the operator can disable them too.
 */
export async function deleteUser(deps: AccountAdminDeps, username: string): Promise<UserChange> {
  const user = await requireUser(deps.db, username)
  await refuseLastAdmin(deps.db, user, 'delete')
  const memberships = await listMembershipsWithOthers(deps.db, user.id)
  const stranded = memberships.filter((m) => m.role === 'owner' && Number(m.other_owners) === 0 && Number(m.others) > 0)
  if (stranded.length > 0) {
    throw new ConflictError(`${username} is the only owner of ${stranded.map((m) => m.slug).join(', ')}, which others belong to; disable the account instead`)
  }
  const solo = memberships.filter((m) => Number(m.others) === 0)
  const authored = await countAuthoredContentOutside(deps.db, user.id, solo.map((m) => m.id))
  if (authored > 0) {
    throw new ConflictError(`${username} wrote ${authored} issue(s) or comment(s) in workspaces others use, which would lose their author; disable the account instead`)
  }
  const now = deps.clock.now()
  const owned = await listAppsOwnedBy(deps.db, user.id)
  await withAnnouncements(deps.db, async (trx, announce) => {
    announce(await deps.revocations.recordSubject(trx, 'user', user.id, { issuedBefore: 'all', expiresAt: now + tokenLifetimeMs(deps) + LATE_ISSUANCE_MS }))
    for (const app of owned) announce(await deps.revocations.recordAppChanged(trx, app.clientId))
    await deleteWorkspaces(trx, solo.map((m) => m.id))
    await deleteUserRow(trx, user.id).catch(changedMeanwhile(username))
  })
  return { username, id: user.id, disabled: true, deleted: true, appsWithoutOwner: owned.map((a) => a.clientId), deletedWorkspaces: solo.map((m) => m.slug) }
}

/** Makes `username` an administrator, or no longer one (never the last one who can act). */
export async function setAdministrator(deps: Pick<AccountAdminDeps, 'db'>, username: string, isAdmin: boolean): Promise<{ username: string; isAdmin: boolean }> {
  const user = await requireUser(deps.db, username)
  if (!isAdmin) await refuseLastAdmin(deps.db, user, 'demote')
  await setUserAdmin(deps.db, user.id, isAdmin)
  return { username, isAdmin }
}

/**
 * Replaces the account's password with a generated one and ends every session of the account, so
 * whoever signed in with the old password is signed out. Its OAuth grants stay (disabling the
 * account revokes those).
 */
export async function resetPassword(deps: Pick<AccountAdminDeps, 'db'>, username: string): Promise<PasswordReset> {
  const user = await requireUser(deps.db, username)
  const password = generatePassword()
  const passwordHash = await hashPassword(password)
  await deps.db.transaction().execute(async (trx) => {
    await setUserPasswordHash(trx, user.id, passwordHash)
    await deleteUserSessions(trx, user.id)
  })
  return { username, id: user.id, password }
}

/**
 * An administrator acting through the console may not disable, delete or demote their own account,
 * nor reset its password: another administrator can. (The CLI has no acting account; the last
 * administrator is protected for both by `refuseLastAdmin`.)
 */
export function refuseOwnAccount(actorUsername: string, username: string, action: OwnAccountAction): void {
  if (actorUsername === username) throw new ConflictError(`${OWN_ACCOUNT_REFUSALS[action]}; another administrator can`)
}

export async function disableApp(deps: AccountAdminDeps, clientId: string): Promise<AppChange> {
  const app = await getApp(deps.db, clientId)
  if (app.disabledAt !== null) return { clientId, name: app.name, disabled: true, revokedGrants: 0 }
  const now = deps.clock.now()
  const revokedGrants = await withAnnouncements(deps.db, async (trx, announce) => {
    await setAppDisabledAt(trx, app.id, now, now)
    const revoked = await revokeGrantsOfApp(trx, app.id, now, 'app disabled')
    announce(await deps.revocations.recordSubject(trx, 'app', clientId, { issuedBefore: 'all', expiresAt: FOREVER }))
    announce(await deps.revocations.recordAppChanged(trx, clientId))
    return revoked
  })
  return { clientId, name: app.name, disabled: true, revokedGrants }
}

/** As `enableUser`: the app's earlier tokens stay revoked. */
export async function enableApp(deps: AccountAdminDeps, clientId: string): Promise<AppChange> {
  const app = await getApp(deps.db, clientId)
  if (app.disabledAt === null) return { clientId, name: app.name, disabled: false }
  const cutoff = await setCutoff(deps, 'app', clientId)
  await waitPastSecondOf(deps, cutoff)
  await withAnnouncements(deps.db, async (trx, announce) => {
    await setAppDisabledAt(trx, app.id, null, deps.clock.now())
    announce(await deps.revocations.recordAppChanged(trx, clientId))
  })
  return { clientId, name: app.name, disabled: false }
}

/**
 * Marks the app verified by an administrator (the consent page says so), or no longer. Verifying
 * an app already verified keeps the date it was first verified.
 */
export async function setAppVerified(deps: Pick<AccountAdminDeps, 'db' | 'clock' | 'revocations'>, clientId: string, verified: boolean): Promise<AppVerification> {
  const app = await getApp(deps.db, clientId)
  if ((app.verifiedAt !== null) === verified) return { clientId, name: app.name, verifiedAt: app.verifiedAt }
  const now = deps.clock.now()
  const verifiedAt = verified ? now : null
  await withAnnouncements(deps.db, async (trx, announce) => {
    await setAppVerifiedAt(trx, app.id, verifiedAt, now)
    // Processes cache apps with their client authentication; what they show must change everywhere at once.
    announce(await deps.revocations.recordAppChanged(trx, clientId))
  })
  return { clientId, name: app.name, verifiedAt }
}

/** Deletes the app with its secrets, grants, codes and refresh tokens; its access tokens are revoked. */
export async function deleteApp(deps: AccountAdminDeps, clientId: string): Promise<AppChange> {
  const app = await getApp(deps.db, clientId)
  const now = deps.clock.now()
  await withAnnouncements(deps.db, async (trx, announce) => {
    announce(await deps.revocations.recordSubject(trx, 'app', clientId, { issuedBefore: 'all', expiresAt: now + tokenLifetimeMs(deps) + LATE_ISSUANCE_MS }))
    announce(await deps.revocations.recordAppChanged(trx, clientId))
    await deleteAppRow(trx, app.id)
  })
  return { clientId, name: app.name, disabled: true, deleted: true }
}

/**
 * A new secret; the old ones keep working for `graceSeconds`. Every process drops its cached
 * authentications of the app, so a rotation without grace stops the old secret everywhere at
 * once; it also revokes the app's client-credentials tokens (the old secret may have leaked, and
 * they were minted with it). Tokens users granted the app stay: minting more needs the new secret.
 */
export async function rotateAppSecret(
  deps: AccountAdminDeps,
  clientId: string,
  graceSeconds: number,
  secrets: SecretFormat,
): Promise<{ clientSecret: string; previousSecretsExpireAt: number; revokedGrants: number }> {
  const app = await getApp(deps.db, clientId)
  return withAnnouncements(deps.db, async (trx, announce) => {
    const rotated = await rotateClientSecret(trx, deps.clock, clientId, { graceSeconds }, secrets)
    let revokedGrants = 0
    if (graceSeconds === 0) {
      const now = deps.clock.now()
      for (const grantId of await listLiveClientCredentialsGrants(trx, app.id)) {
        if (!(await revokeGrantRows(trx, grantId, now, 'client secret rotated without grace'))) continue
        announce(await deps.revocations.record(trx, 'grant', grantId, now + tokenLifetimeMs(deps)))
        revokedGrants++
      }
    }
    announce(await deps.revocations.recordAppChanged(trx, clientId))
    return { ...rotated, revokedGrants }
  })
}

async function requireUser(db: Db, username: string): Promise<User> {
  const user = await findUserByUsername(db, username)
  if (!user) throw new NotFoundError(`No user named "${username}"`)
  // An installation's account lives and ends with the installation: manage the app, not the account.
  if (user.kind === 'app') throw new ConflictError(`"${username}" is the account of an installed app; disable, uninstall or enable the app in its workspace instead`)
  return user
}

/** An account that is the last enabled administrator cannot be disabled, deleted or demoted: nobody could administer then. */
async function refuseLastAdmin(db: Db, user: User, action: 'disable' | 'delete' | 'demote'): Promise<void> {
  if (user.is_admin !== 1 || user.disabled_at !== null) return
  if ((await countOtherActiveAdmins(db, user.id)) === 0) {
    throw new ConflictError(`${user.username} is the last administrator, so it cannot be ${action === 'demote' ? 'demoted' : `${action}d`}; make another administrator first`)
  }
}

/** Lowers a disabled subject's revocation from "all" to "everything issued until now". */
async function setCutoff(deps: AccountAdminDeps, kind: 'user' | 'app', subject: string): Promise<number> {
  const cutoff = deps.clock.now()
  await withAnnouncements(deps.db, async (trx, announce) => {
    announce(await deps.revocations.recordSubject(trx, kind, subject, { issuedBefore: cutoff, expiresAt: cutoff + tokenLifetimeMs(deps) }))
  })
  return cutoff
}

async function waitPastSecondOf(deps: AccountAdminDeps, instant: number): Promise<void> {
  const ms = (Math.floor(instant / 1000) + 1) * 1000 - deps.clock.now()
  if (ms > 0) await (deps.wait ?? sleep)(ms)
}

/** Until every access token issued up to now has expired, on any host. */
function tokenLifetimeMs(deps: AccountAdminDeps): number {
  return deps.accessTokenTtlSeconds * 1000 + CLOCK_SKEW_MS
}

/** Runs `work` in a transaction and, once it has committed, the announcements it queued (never for a rollback). */
async function withAnnouncements<T>(db: Db, work: (trx: Db, announce: (announcement: () => void) => void) => Promise<T>): Promise<T> {
  const announcements: (() => void)[] = []
  const result = await db.transaction().execute((trx) => work(trx, (announcement) => announcements.push(announcement)))
  for (const announcement of announcements) announcement()
  return result
}

function changedMeanwhile(username: string) {
  return (error: unknown): never => {
    const code = (error as { code?: unknown } | null)?.code
    if (code === '23503' || code === 'SQLITE_CONSTRAINT_FOREIGNKEY') {
      throw new ConflictError(`${username} wrote something in the meantime; try again, or disable the account instead`)
    }
    throw error
  }
}
