/**
 * Who may do what with API tokens (issue 10). Permissions are granted to groups; a user holds those
 * of every group they belong to, and an administrator holds them all. Pure rules: the database and
 * the pages, API and command line that ask them live elsewhere.
 */
export const TOKEN_PERMISSIONS = ['use-tokens', 'create-tokens', 'create-read-write-tokens', 'create-tokens-for-others'] as const

export type TokenPermission = (typeof TOKEN_PERMISSIONS)[number]

/** What each permission lets its holder do, in words for people (help texts, lists, errors). */
export const PERMISSION_DESCRIPTIONS: Record<TokenPermission, string> = {
  'use-tokens': 'call the API with an API token',
  'create-tokens': 'create API tokens for oneself, and revoke them',
  'create-read-write-tokens': 'create API tokens that may write (without it, only read-only ones)',
  'create-tokens-for-others': 'create API tokens for other users, and revoke the ones one created for them',
}

/** What a sentence "You need … to <action>" names for each permission. */
const ACTIONS: Record<TokenPermission, string> = {
  'use-tokens': 'use API tokens',
  'create-tokens': 'create API tokens',
  'create-read-write-tokens': 'create API tokens that may write',
  'create-tokens-for-others': 'create API tokens for other users',
}

/** The groups' default: the group `users` every new user joins holds these. */
export const DEFAULT_GROUP_NAME = 'users'
export const DEFAULT_GROUP_PERMISSIONS: readonly TokenPermission[] = ['use-tokens', 'create-tokens', 'create-read-write-tokens']

export function isTokenPermission(value: string): value is TokenPermission {
  return (TOKEN_PERMISSIONS as readonly string[]).includes(value)
}

/** The permission named by `text` (case and surrounding space ignored), or undefined. */
export function parsePermission(text: string): TokenPermission | undefined {
  const name = text.trim().toLowerCase()
  return isTokenPermission(name) ? name : undefined
}

/** The sentence a refusal for an unknown permission name shows, listing the known ones. */
export function unknownPermissionMessage(text: string): string {
  return `"${text}" is not a token permission; the permissions are ${TOKEN_PERMISSIONS.join(', ')}`
}

/** Revoking is not a permission of its own: it comes with the permission that created the token. */
export type TokenRevocation = 'own' | 'created-for-others'

const REVOCATION_INCLUDED_IN: Record<TokenRevocation, TokenPermission> = {
  own: 'create-tokens',
  'created-for-others': 'create-tokens-for-others',
}

/** Whether holding `permissions` lets one revoke a token of this kind (one's own, or one made for someone else). */
export function mayRevoke(permissions: ReadonlySet<TokenPermission>, revocation: TokenRevocation): boolean {
  return permissions.has(REVOCATION_INCLUDED_IN[revocation])
}

/** The permissions a user holds: all of them for an administrator, else the union of their groups'. */
export function effectivePermissions(input: { isAdmin: boolean; groupPermissions: Iterable<string> }): Set<TokenPermission> {
  if (input.isAdmin) return new Set(TOKEN_PERMISSIONS)
  const held = new Set<TokenPermission>()
  // A name no longer known (written by a newer version, or by hand) grants nothing.
  for (const name of input.groupPermissions) if (isTokenPermission(name)) held.add(name)
  return held
}

/** Permissions in the order of TOKEN_PERMISSIONS, for output that should not depend on storage order. */
export function sortPermissions(permissions: Iterable<TokenPermission>): TokenPermission[] {
  const held = new Set(permissions)
  return TOKEN_PERMISSIONS.filter((p) => held.has(p))
}

/**
 * The one refusal every page, API response and command says when a permission is missing: which one,
 * what it is for, and who can give it.
 */
export function missingPermissionMessage(permission: TokenPermission): string {
  return `You need the "${permission}" permission to ${ACTIONS[permission]}; ask an administrator to add you to a group that has it`
}
