import type { App } from '../apps/app.js'
import { newId } from '../domain/ids.js'
import { hashSecret, isOpaqueToken, type SecretFormat } from '../domain/opaque-token.js'
import { classifyRefreshTokenUse, refreshTokenExpiry, type RefreshTokenUse } from '../domain/refresh-policy.js'
import type { Db } from '../store/database.js'
import * as queries from './refresh-tokens.queries.js'
import type { RefreshTokenRecord } from './refresh-tokens.queries.js'
import { sealSuccessor, unsealSuccessor } from './refresh-tokens.successor.js'

export type { RefreshTokenRecord } from './refresh-tokens.queries.js'

export interface NewRefreshToken {
  grantId: string
  grantExpiresAt: number
  appId: string
  userId: string
  scope: string
  parentId: string | null
}

/** Stores a new refresh token of a grant's family and returns it; only its hash is kept. */
export async function issueRefreshToken(db: Db, now: number, idleTtlSeconds: number, input: NewRefreshToken, secrets: SecretFormat): Promise<string> {
  const token = secrets.generate('refreshToken')
  await storeRefreshToken(db, now, idleTtlSeconds, token, input)
  return token
}

async function storeRefreshToken(db: Db, now: number, idleTtlSeconds: number, token: string, input: NewRefreshToken): Promise<void> {
  await queries.insertRefreshToken(db, {
    id: newId(),
    token_hash: hashSecret(token),
    grant_id: input.grantId,
    app_id: input.appId,
    user_id: input.userId,
    scope: input.scope,
    parent_id: input.parentId,
    created_at: now,
    expires_at: refreshTokenExpiry(now, idleTtlSeconds, input.grantExpiresAt),
    used_at: null,
    revoked_at: null,
  })
}

/** The stored refresh token `token` names, or undefined for anything that is not one of ours. */
export async function findRefreshToken(db: Db, token: string): Promise<RefreshTokenRecord | undefined> {
  if (!isOpaqueToken(token, 'refreshToken')) return undefined
  return queries.findRefreshTokenByHash(db, hashSecret(token))
}

/** Whether a refresh token can still be exchanged, ignoring any reuse grace window. */
export function isRefreshTokenActive(record: RefreshTokenRecord, now: number): boolean {
  return record.revoked_at === null && record.grant_revoked_at === null && record.used_at === null
    && record.expires_at > now && record.grant_expires_at > now && record.user_disabled_at === null
}

export type RotationResult = { outcome: 'rotated'; refreshToken: string } | { outcome: 'replay' }

export interface RotationSettings {
  idleTtlSeconds: number
  reuseGraceSeconds: number
  secrets: SecretFormat
}

/**
 * Uses up `record` (presented as `presented`) and answers with its successor.
 *
 * Marking it used is a conditional update, so of two concurrent refreshes with
 * the same token exactly one rotates it. The other then counts as a reuse, like
 * a later retry: within the grace window it gets the same successor back,
 * unsealed from what the first use stored (see refresh-tokens.successor.ts), so
 * a family never has two live branches; without a grace window it is a replay
 * and the caller revokes the family.
 */
export async function rotateRefreshToken(
  db: Db,
  now: number,
  settings: RotationSettings,
  client: App,
  record: RefreshTokenRecord,
  presented: string,
  use: Exclude<RefreshTokenUse, 'replay'>,
): Promise<RotationResult> {
  if (use === 'retry') return sameSuccessor(presented, record.id, record.successor_sealed)
  const successor = settings.secrets.generate('refreshToken')
  const sealed = settings.reuseGraceSeconds > 0 ? sealSuccessor(presented, record.id, successor) : null
  const rotated = await db.transaction().execute(async (trx) => {
    if (!(await queries.markRefreshTokenUsed(trx, record.id, now, sealed))) return false
    await storeRefreshToken(trx, now, settings.idleTtlSeconds, successor, {
      grantId: record.grant_id,
      grantExpiresAt: record.grant_expires_at,
      appId: client.id,
      userId: record.user_id,
      scope: record.scope,
      parentId: record.id,
    })
    return true
  })
  if (rotated) return { outcome: 'rotated', refreshToken: successor }
  // A concurrent refresh with the same token won (and has committed: its update held the row).
  const winner = await queries.findRefreshTokenUse(db, record.id)
  if (classifyRefreshTokenUse(winner?.used_at ?? null, now, settings.reuseGraceSeconds) !== 'retry') return { outcome: 'replay' }
  return sameSuccessor(presented, record.id, winner?.successor_sealed ?? null)
}

/** The successor the first use issued; a used token without one (rotated before sealing existed) is a replay. */
function sameSuccessor(presented: string, recordId: string, sealed: string | null): RotationResult {
  const successor = sealed === null ? undefined : unsealSuccessor(presented, recordId, sealed)
  return successor === undefined ? { outcome: 'replay' } : { outcome: 'rotated', refreshToken: successor }
}
