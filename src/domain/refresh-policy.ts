/** The idle expiry of a new refresh token: its idle lifetime from now, never past the grant's absolute end. */
export function refreshTokenExpiry(now: number, idleTtlSeconds: number, grantExpiresAt: number): number {
  return Math.min(now + idleTtlSeconds * 1000, grantExpiresAt)
}

/**
 * What presenting a refresh token means, given when it was first used:
 * - `first-use`: the normal case, rotate it;
 * - `retry`: it was used moments ago (within the grace window) — a client that
 *   lost the response, or two tabs refreshing at once — so answer again;
 * - `replay`: a used token came back later, which is how a stolen token shows
 *   itself (RFC 9700 §4.14.2), so the whole family must go.
 */
export type RefreshTokenUse = 'first-use' | 'retry' | 'replay'

export function classifyRefreshTokenUse(usedAt: number | null, now: number, graceSeconds: number): RefreshTokenUse {
  if (usedAt === null) return 'first-use'
  return graceSeconds > 0 && now - usedAt <= graceSeconds * 1000 ? 'retry' : 'replay'
}
