/**
 * When a sign-in ends: at its absolute end (`expires_at`, set at sign-in), or once it has gone
 * unused for the idle lifetime, whichever comes first. An idle end protects a browser left signed in
 * on a shared or lost machine; the absolute end bounds a session kept busy by someone else.
 */
export interface SessionLifetime {
  ttlSeconds: number
  idleTtlSeconds: number
}

/**
 * `last_seen_at` is written at most this often per session: a page view is a read, not a write.
 * The idle end is therefore up to this much early, which is why the idle lifetime is at least
 * five minutes (src/config.ts).
 */
export const LAST_SEEN_RESOLUTION_MS = 60_000

/** A session started at `now` ends absolutely at this instant. */
export function sessionExpiresAt(now: number, lifetime: SessionLifetime): number {
  return now + lifetime.ttlSeconds * 1000
}

/** A session is live at `now` only if it was last seen after this instant. */
export function idleCutoff(now: number, lifetime: SessionLifetime): number {
  return now - lifetime.idleTtlSeconds * 1000
}

/** A use at `now` is recorded only if the session was last seen before this instant. */
export function lastSeenStaleBefore(now: number): number {
  return now - LAST_SEEN_RESOLUTION_MS
}
