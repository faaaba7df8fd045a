import type { Clock } from '../domain/clock.js'
import { newId } from '../domain/ids.js'
import { hashSecret, isOpaqueToken, type SecretFormat } from '../domain/opaque-token.js'
import { BadRequestError } from '../errors.js'
import type { Db } from '../store/database.js'
import * as queries from './register.queries.js'

/**
 * Initial access tokens (RFC 7591 §3): an administrator hands one out, and
 * whoever holds it may register that many apps before it expires.
 */
export async function createRegistrationToken(
  db: Db,
  clock: Clock,
  options: { expiresInSeconds: number; uses?: number },
  secrets: SecretFormat,
): Promise<{ token: string; expiresAt: number }> {
  const uses = options.uses ?? 1
  if (!Number.isInteger(options.expiresInSeconds) || options.expiresInSeconds <= 0) throw new BadRequestError('A registration token needs a lifetime of at least one second')
  if (!Number.isInteger(uses) || uses <= 0) throw new BadRequestError('A registration token needs at least one use')
  const now = clock.now()
  const token = secrets.generate('registrationToken')
  const expiresAt = now + options.expiresInSeconds * 1000
  await queries.insertRegistrationToken(db, { id: newId(), token_hash: hashSecret(token), created_at: now, expires_at: expiresAt, uses_left: uses })
  return { token, expiresAt }
}

/** Whether `token` could register an app right now (without spending a use). */
export async function isUsableRegistrationToken(db: Db, token: string, now: number): Promise<boolean> {
  return isOpaqueToken(token, 'registrationToken') && queries.isRegistrationTokenLive(db, hashSecret(token), now)
}

/** Spends one use of `token`; false when it is unknown, expired or used up. */
export async function spendRegistrationToken(db: Db, token: string, now: number): Promise<boolean> {
  return isOpaqueToken(token, 'registrationToken') && queries.takeRegistrationTokenUse(db, hashSecret(token), now)
}
