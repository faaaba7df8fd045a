import { randomBytes } from 'node:crypto'
import { BoundedCache } from '../domain/bounded-cache.js'
import type { Exchange } from './exchange.js'

/** The steps that send a request of their own, each showing the last one it sent. */
export type RequestStep = 'token' | 'api' | 'refresh' | 'introspect' | 'revoke'

/** What came back to the callback (step 3), as the playground checked it. */
export interface CallbackResult {
  /** The query as received (percent-encoded), with the code partly masked. */
  query: [string, string][]
  code?: string
  error?: string
  errorDescription?: string
  issMatches: boolean
}

/**
 * One person's walk through the flow, from the authorization request to revocation. Kept in this
 * process's memory under a random cookie, never in the page: the code_verifier must stay with the
 * client until the token request, and the tokens are the person's own.
 */
export interface Walk {
  scope: string[]
  state: string
  codeVerifier: string
  codeChallenge: string
  authorizationUrl: string
  callback?: CallbackResult
  accessToken?: string
  refreshToken?: string
  /** The account that allowed (signed in at the callback, else at the first step after): the code and tokens are its, shown to it alone. */
  ownerId?: string
  exchanges: Partial<Record<RequestStep, Exchange>>
}

const MAX_WALKS = 1000
const WALK_TTL_MS = 60 * 60 * 1000
export const WALK_COOKIE_MAX_AGE_SECONDS = WALK_TTL_MS / 1000

/**
 * Walks by their cookie's value, each for an hour from its last step; the oldest make room when
 * full. In memory: a restart (or another node behind a load balancer) has none, and the page says
 * to start again. The playground is for trying Gatehouse out, not for serving traffic.
 */
export class Walks {
  readonly #walks = new BoundedCache<Walk>(MAX_WALKS)

  newKey(): string {
    return randomBytes(32).toString('base64url')
  }

  get(key: string | undefined, now: number): Walk | undefined {
    return key === undefined ? undefined : this.#walks.get(key, now)
  }

  save(key: string, walk: Walk, now: number): void {
    this.#walks.set(key, walk, now + WALK_TTL_MS)
  }
}
