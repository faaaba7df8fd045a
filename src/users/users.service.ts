import { newId } from '../domain/ids.js'
import { hashPassword, verifyPassword } from '../domain/password.js'
import type { Clock } from '../domain/clock.js'
import { BadRequestError, ConflictError } from '../errors.js'
import type { Db } from '../store/database.js'
import type { User } from '../store/schema.js'
import * as queries from './users.queries.js'

export interface PublicUser {
  id: string
  username: string
  displayName: string
  isAdmin: boolean
  createdAt: string
  /** When the account was disabled; null while it is enabled. */
  disabledAt: string | null
}

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9_.-]{1,38}$/

export function toPublicUser(user: User): PublicUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    isAdmin: user.is_admin === 1,
    createdAt: new Date(user.created_at).toISOString(),
    disabledAt: user.disabled_at === null ? null : new Date(user.disabled_at).toISOString(),
  }
}

export async function createUser(
  db: Db,
  clock: Clock,
  input: { username: string; password: string; isAdmin?: boolean; displayName?: string },
): Promise<PublicUser> {
  if (!USERNAME_PATTERN.test(input.username)) {
    throw new BadRequestError('A username is 2–39 characters: lower-case letters, digits, "_", "." or "-", starting with a letter or digit')
  }
  if (input.password.length < 8) throw new BadRequestError('A password needs at least 8 characters')
  if (await queries.findUserByUsername(db, input.username)) throw new ConflictError(`The username "${input.username}" is taken`)
  const user: User = {
    id: newId(),
    username: input.username,
    password_hash: await hashPassword(input.password),
    is_admin: input.isAdmin ? 1 : 0,
    display_name: input.displayName ?? input.username,
    created_at: clock.now(),
    disabled_at: null,
  }
  await queries.insertUser(db, user)
  return toPublicUser(user)
}

/** The user whose username and password these are, or undefined; the same work is done either way. */
export async function authenticateUser(db: Db, username: string, password: string): Promise<User | undefined> {
  const user = await queries.findUserByUsername(db, username)
  // Hash even for an unknown user, so response time does not reveal which usernames exist.
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH)
  return ok && user && user.disabled_at === null ? user : undefined
}

const DUMMY_HASH = await hashPassword('not-a-real-password')

export { findUserById, findUserByUsername, listUsers, countUsers } from './users.queries.js'
