import { newId } from '../domain/ids.js'
import { hashPassword, verifyPassword } from '../domain/password.js'
import type { Clock } from '../domain/clock.js'
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js'
import { inTransaction, isUniqueViolation, type Db } from '../store/database.js'
import type { User } from '../store/schema.js'
import { joinDefaultGroup } from './groups.service.js'
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
export const MIN_PASSWORD_LENGTH = 8
/** The sign-in form takes no longer password (src/web/login.schemas.ts), so none may be set. */
export const MAX_PASSWORD_LENGTH = 1024
export const MAX_DISPLAY_NAME_LENGTH = 100

export type UserField = 'username' | 'password' | 'displayName'

/** Input for an account, new or changed, that the rules refuse, naming the field, so a form can show the message next to it. */
export class UserInputError extends BadRequestError {
  constructor(readonly field: UserField, message: string) {
    super(message)
  }
}

/** The username belongs to another account (409, like any conflict); it is the username field's fault. */
export class UsernameTakenError extends ConflictError {
  readonly field = 'username'

  constructor(username: string) {
    super(`The username "${username}" is taken`)
  }
}

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
    throw new UserInputError('username', 'A username is 2–39 characters: lower-case letters, digits, "_", "." or "-", starting with a letter or digit')
  }
  const weak = passwordProblem(input.password)
  if (weak) throw new UserInputError('password', weak)
  const displayName = input.displayName?.trim() ? validDisplayName(input.displayName) : input.username
  if (await queries.findUserByUsername(db, input.username)) throw new UsernameTakenError(input.username)
  const user: User = {
    id: newId(),
    username: input.username,
    password_hash: await hashPassword(input.password),
    is_admin: input.isAdmin ? 1 : 0,
    display_name: displayName,
    created_at: clock.now(),
    disabled_at: null,
    kind: 'person',
  }
  // Another request may have taken the name while the password was hashing.
  await inTransaction(db, async (trx) => {
    await queries.insertUser(trx, user)
    await joinDefaultGroup(trx, user, user.created_at)
  }).catch((error: unknown) => {
    throw isUniqueViolation(error) ? new UsernameTakenError(input.username) : error
  })
  return toPublicUser(user)
}

/** The user whose username and password these are, or undefined; the same work is done either way. */
export async function authenticateUser(db: Db, username: string, password: string): Promise<User | undefined> {
  const user = await queries.findUserByUsername(db, username)
  // Hash even for an unknown user, so response time does not reveal which usernames exist. An
  // installation's app account ('app') never signs in: it acts only through its app's credentials.
  const person = user?.kind === 'person' ? user : undefined
  const ok = await verifyPassword(password, person?.password_hash ?? DUMMY_HASH)
  return ok && person && person.disabled_at === null ? person : undefined
}

const DUMMY_HASH = await hashPassword('not-a-real-password')

/** What is wrong with a password someone is choosing, or undefined if nothing is. */
export function passwordProblem(password: string): string | undefined {
  if (password.length < MIN_PASSWORD_LENGTH) return `A password needs at least ${MIN_PASSWORD_LENGTH} characters`
  if (password.length > MAX_PASSWORD_LENGTH) return `A password is at most ${MAX_PASSWORD_LENGTH} characters`
  return undefined
}

const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/

/** A display name as stored: trimmed, 1–100 characters (code points, so an emoji counts once), on one line. */
export function validDisplayName(input: string): string {
  const name = input.trim()
  if (name === '') throw new UserInputError('displayName', 'Enter a display name')
  if ([...name].length > MAX_DISPLAY_NAME_LENGTH) throw new UserInputError('displayName', `A display name is at most ${MAX_DISPLAY_NAME_LENGTH} characters`)
  if (CONTROL_CHARACTER.test(name)) throw new UserInputError('displayName', 'A display name cannot contain line breaks or other control characters')
  return name
}

/** Checks and stores a user's new display name; returns it as stored. */
export async function changeDisplayName(db: Db, userId: string, input: string): Promise<string> {
  const displayName = validDisplayName(input)
  await queries.setUserDisplayName(db, userId, displayName)
  return displayName
}

/**
 * Replaces the password of `username` if `currentPassword` is theirs; resolves to undefined, changing
 * nothing, if it is not. `alongside` runs in the transaction that stores the new hash, for what must
 * change with the password (the settings page ends the account's other sessions, which web/ owns).
 * Callers throttle it like a sign-in, which it is (`server.passwordAttempts`).
 */
export async function changePassword<T>(
  db: Db,
  input: { username: string; currentPassword: string; newPassword: string },
  alongside: (trx: Db, user: User) => Promise<T>,
): Promise<T | undefined> {
  const weak = passwordProblem(input.newPassword)
  if (weak) throw new UserInputError('password', weak)
  const user = await authenticateUser(db, input.username, input.currentPassword)
  if (!user) return undefined
  // Hashed before the transaction opens: SQLite's writer lock should not wait for scrypt.
  const passwordHash = await hashPassword(input.newPassword)
  return inTransaction(db, async (trx) => {
    await queries.setUserPasswordHash(trx, user.id, passwordHash)
    return alongside(trx, user)
  })
}

/**
 * An operator sets a user's password (the user forgot it, or it leaked): checked like a chosen one,
 * and every session of the account ends, so whoever signed in with the old password is signed out.
 */
export async function setPassword(db: Db, username: string, newPassword: string): Promise<{ username: string; endedSessions: number }> {
  const weak = passwordProblem(newPassword)
  if (weak) throw new UserInputError('password', weak)
  const user = await queries.findUserByUsername(db, username)
  if (!user) throw new NotFoundError(`No user named "${username}"`)
  // Hashed before the transaction opens: SQLite's writer lock should not wait for scrypt.
  const passwordHash = await hashPassword(newPassword)
  return inTransaction(db, async (trx) => {
    await queries.setUserPasswordHash(trx, user.id, passwordHash)
    return { username: user.username, endedSessions: await queries.deleteUserSessions(trx, user.id) }
  })
}

export { findUserById, findUserByUsername, listUsers, countUsers } from './users.queries.js'
