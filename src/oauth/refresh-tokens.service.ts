import type { App } from '../apps/app.js'
import { newId } from '../domain/ids.js'
import { generateOpaqueToken, hashSecret, isOpaqueToken } from '../domain/opaque-token.js'
import { classifyRefreshTokenUse, refreshTokenExpiry, type RefreshTokenUse } from '../domain/refresh-policy.js'
import type { Db } from '../store/database.js'
import * as queries from './refresh-tokens.queries.js'
import type { RefreshTokenRecord } from './refresh-tokens.queries.js'

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
export async function issueRefreshToken(db: Db, now: number, idleTtlSeconds: number, input: NewRefreshToken): Promise<string> {
  const token = generateOpaqueToken('refreshToken')
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
  return token
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

/**
 * Uses up `record` and issues its successor, in one transaction.
 *
 * Marking it used is a conditional update, so of two concurrent refreshes with
 * the same token exactly one rotates it. The other then counts as a reuse:
 * within the grace window it gets a successor of its own (both branches stay
 * valid until used or revoked); without a grace window it is a replay and the
 * caller revokes the family — two tabs refreshing at once must therefore share
 * one refresh, or run with a grace window.
 */
export async function rotateRefreshToken(
  db: Db,
  now: number,
  settings: { idleTtlSeconds: number; reuseGraceSeconds: number },
  client: App,
  record: RefreshTokenRecord,
  use: Exclude<RefreshTokenUse, 'replay'>,
): Promise<RotationResult> {
  return db.transaction().execute(async (trx) => {
    if (use === 'first-use' && !(await queries.markRefreshTokenUsed(trx, record.id, now))) {
      const usedAt = await queries.findRefreshTokenUsedAt(trx, record.id)
      if (classifyRefreshTokenUse(usedAt, now, settings.reuseGraceSeconds) === 'replay') return { outcome: 'replay' } as const
    }
    const refreshToken = await issueRefreshToken(trx, now, settings.idleTtlSeconds, {
      grantId: record.grant_id,
      grantExpiresAt: record.grant_expires_at,
      appId: client.id,
      userId: record.user_id,
      scope: record.scope,
      parentId: record.id,
    })
    return { outcome: 'rotated', refreshToken } as const
  })
}
